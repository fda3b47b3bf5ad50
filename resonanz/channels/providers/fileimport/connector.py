"""Imported history has no platform to answer on; replies stay in Resonanz."""

from __future__ import annotations

from resonanz.channels.connectors import Connector
from resonanz.inbox.models import Message


class ImportConnector(Connector):
    def send(self, reply: Message, *, idempotency_key: str) -> str:
        return reply.external_id
