"""What every API module shares: the caller's access and the error shapes."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Schema

from resonanz.core.permissions import Access


def token_access(request: HttpRequest) -> Access:
    """The access the Bearer token stands for (set by the API's authentication)."""
    return request.auth  # type: ignore[attr-defined,no-any-return]


class ErrorOut(Schema):
    error: str


class InvalidOut(ErrorOut):
    """A refused input, with a message per refused field ("" for the whole)."""

    fields: list[dict[str, str]] = []
