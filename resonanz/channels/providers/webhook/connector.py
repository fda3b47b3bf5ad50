"""The generic webhook: any system that can POST signed JSON feeds messages in.

Replies are POSTed, signed with the channel secret, to the channel's ``reply_url`` when one
is configured; otherwise they stay in Resonanz and are readable through the REST API.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from django.http import HttpRequest

from resonanz.channels.connectors import Connector, ConnectorError
from resonanz.channels.ingest import InboundItem
from resonanz.channels.providers.webhook.schema import parse_payload
from resonanz.channels.signing import SIGNATURE_HEADER, sign, signature_matches
from resonanz.inbox.models import Message

REPLY_TIMEOUT_SECONDS = 10


class WebhookPayloadNotJSON(ValueError):
    pass


class WebhookConnector(Connector):
    def verify_webhook(self, request: HttpRequest) -> bool:
        return signature_matches(
            self.channel.secret, request.body, request.headers.get(SIGNATURE_HEADER)
        )

    def parse_delivery(self, body: bytes) -> list[InboundItem]:
        try:
            data = json.loads(body.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise WebhookPayloadNotJSON("The body must be UTF-8 encoded JSON.") from exc
        except json.JSONDecodeError as exc:
            raise WebhookPayloadNotJSON(
                f"The body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}."
            ) from exc
        return [
            InboundItem(
                external_id=m.id,
                text=m.text,
                author_id=m.author.id,
                author_name=m.author.name,
                author_email=m.author.email,
                author_handle=m.author.handle,
                author_reach=m.author.reach,
                created_at=m.created_at,
                kind=m.kind,
                thread_key=m.thread.key if m.thread else "",
                thread_url=m.thread.url if m.thread else "",
                thread_title=m.thread.title if m.thread else "",
                conversation_key=m.conversation,
                in_reply_to=m.in_reply_to,
                reactions=m.reactions,
                metadata=m.metadata,
            )
            for m in parse_payload(data)
        ]

    def send(self, reply: Message, *, idempotency_key: str) -> str:
        reply_url = str(self.channel.config.get("reply_url", ""))
        if not reply_url:
            return reply.external_id
        conversation = reply.conversation
        body = json.dumps(
            {
                "id": reply.external_id,
                "idempotency_key": idempotency_key,
                "conversation": conversation.external_key,
                "in_reply_to": reply.parent.external_id if reply.parent else "",
                "text": reply.body,
                "author": reply.author_name,
                "created_at": reply.created_at.isoformat(),
            }
        ).encode()
        request = urllib.request.Request(  # noqa: S310 (URL set by a workspace manager)
            reply_url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                SIGNATURE_HEADER: sign(self.channel.secret, body),
                "Idempotency-Key": idempotency_key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=REPLY_TIMEOUT_SECONDS) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            retry_after = exc.headers.get("Retry-After") if exc.headers else None
            raise ConnectorError(
                f"The reply URL answered {exc.code}.",
                permanent=400 <= exc.code < 500 and exc.code != 429,
                retry_after=float(retry_after) if retry_after and retry_after.isdigit() else None,
            ) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise ConnectorError(
                f"The reply URL could not be reached: {exc}", permanent=False
            ) from exc
        if status >= 300:
            raise ConnectorError(f"The reply URL answered {status}.", permanent=False)
        return reply.external_id
