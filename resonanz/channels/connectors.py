"""The Connector contract every platform sits behind, and the lazy provider registry.

In the style of Django's pluggable backends: a provider is a dotted path to a class; the
registry imports it only when a channel of that kind is used, so one broken provider never
breaks the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from django.http import HttpRequest

    from resonanz.channels.ingest import InboundItem
    from resonanz.channels.models import Channel
    from resonanz.inbox.models import Message


class ConnectorError(Exception):
    """A platform call failed. ``permanent`` says whether retrying can help."""

    def __init__(self, message: str, *, permanent: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


@dataclass(frozen=True)
class FetchResult:
    items: Sequence[InboundItem]
    next_cursor: dict[str, Any]


class Connector:
    """Base class; providers override what their platform supports."""

    #: Whether ``fetch`` polls the platform (scheduled syncs call only these).
    polls = False

    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    def fetch(self, cursor: dict[str, Any]) -> FetchResult:
        raise NotImplementedError(f"{type(self).__name__} does not poll.")

    def send(self, reply: Message, *, idempotency_key: str) -> str:
        """Deliver a reply; return the platform's id for it."""
        raise NotImplementedError

    def hide(self, message: Message) -> None:
        """Hide a message on the platform (default: nothing to do there)."""

    def delete(self, message: Message) -> None:
        """Delete a message on the platform (default: nothing to do there)."""

    def verify_webhook(self, request: HttpRequest) -> bool:
        raise NotImplementedError(f"{type(self).__name__} takes no webhooks.")

    def parse_webhook(self, request: HttpRequest) -> list[InboundItem]:
        """Validate a verified webhook request; raise ValueError with a clear message."""
        return self.parse_delivery(request.body)

    def parse_delivery(self, body: bytes) -> list[InboundItem]:
        """The items of a webhook body (again in the worker, from the stored delivery)."""
        raise NotImplementedError(f"{type(self).__name__} takes no webhooks.")


PROVIDERS: dict[str, str] = {
    "widget": "resonanz.channels.providers.widget.connector.WidgetConnector",
    "webhook": "resonanz.channels.providers.webhook.connector.WebhookConnector",
    "import": "resonanz.channels.providers.fileimport.connector.ImportConnector",
}


def connector_for(channel: Channel) -> Connector:
    try:
        path = PROVIDERS[channel.kind]
    except KeyError as exc:
        raise ConnectorError(
            f"No provider for channel kind {channel.kind!r}.", permanent=True
        ) from exc
    cls = import_string(path)
    return cls(channel)  # type: ignore[no-any-return]
