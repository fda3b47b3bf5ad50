"""The generic webhook's documented JSON schema (see README, "Generic webhook").

A body is either one message object or ``{"messages": [...]}`` with up to 1,000 of them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from resonanz.channels.ingest import MAX_COUNT

MAX_BATCH = 1000


class WebhookAuthor(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=255)
    name: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=254)
    handle: str = Field(default="", max_length=200)
    reach: int | None = Field(default=None, ge=0, le=MAX_COUNT)


class WebhookThread(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=500)
    url: str = Field(default="", max_length=1000)
    title: str = Field(default="", max_length=300)


class WebhookMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=255)
    text: str = Field(min_length=1, max_length=20_000)
    author: WebhookAuthor
    created_at: datetime | None = None
    kind: Literal["comment", "feedback", "dm", "mention"] = "comment"
    thread: WebhookThread | None = None
    conversation: str = Field(default="", max_length=255)
    in_reply_to: str = Field(default="", max_length=255)
    reactions: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("created_at")
    @classmethod
    def needs_timezone(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("must include a time zone, e.g. 2026-11-25T10:00:00+01:00")
        return value


class WebhookBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    messages: list[WebhookMessage] = Field(min_length=1, max_length=MAX_BATCH)


class WebhookPayloadError(ValueError):
    """The body does not match the schema; ``errors`` name each bad field."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors


def parse_payload(data: Any) -> list[WebhookMessage]:
    """Validate decoded JSON; raise :class:`WebhookPayloadError` naming the bad fields."""
    try:
        if isinstance(data, dict) and "messages" in data:
            return WebhookBatch.model_validate(data).messages
        return [WebhookMessage.model_validate(data)]
    except ValidationError as exc:
        raise WebhookPayloadError(
            [
                {
                    "field": ".".join(str(part) for part in err["loc"]) or "(body)",
                    "message": err["msg"],
                }
                for err in exc.errors()[:20]
            ]
        ) from exc
