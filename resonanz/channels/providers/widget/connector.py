"""The website widget: replies are delivered by publishing them under the comment."""

from __future__ import annotations

from resonanz.channels.connectors import Connector
from resonanz.channels.ingest import InboundItem
from resonanz.inbox.models import ConversationKind, Message, Visibility
from resonanz.inbox.public import bump_public_version


class WidgetConnector(Connector):
    def parse_delivery(self, body: bytes) -> list[InboundItem]:
        """Comments the widget endpoint checked and stored (``deliveries.encode_items``)."""
        from resonanz.channels.deliveries import decode_items

        return decode_items(body)

    def send(self, reply: Message, *, idempotency_key: str) -> str:
        conversation = reply.conversation
        if conversation.kind == ConversationKind.COMMENT:
            Message.objects.filter(pk=reply.pk).update(visibility=Visibility.PUBLISHED)
            bump_public_version([conversation.thread_id])
        else:
            # Private feedback: answered by email when the visitor left an address.
            from resonanz.channels.providers.widget.email import send_feedback_reply

            send_feedback_reply(reply)
        return reply.external_id
