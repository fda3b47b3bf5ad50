"""Answers to private widget feedback go to the visitor by email."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail

from resonanz.channels.connectors import ConnectorError
from resonanz.inbox.models import Message


def send_feedback_reply(reply: Message) -> None:
    contact = reply.conversation.contact
    if contact is None or not contact.email:
        # Nothing to deliver to: the answer stays in Resonanz (visible to the team).
        return
    try:
        send_mail(
            subject=f"Re: {reply.conversation.preview[:60]}",
            message=reply.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[contact.email],
            fail_silently=False,
        )
    except OSError as exc:
        raise ConnectorError(
            f"Could not send email: {exc}", permanent=False, retry_after=60
        ) from exc
