"""How a new message changes its conversation: counters, waiting clock, state, sort order.

Ingestion, replies and notes all call :func:`apply_message`, so the inbox's waiting-time
order means the same thing whichever way a message arrived.
"""

from __future__ import annotations

from datetime import datetime

from resonanz.core.text import preview
from resonanz.inbox.models import Conversation, Direction, State

REOPENING_STATES = {State.PENDING, State.RESOLVED}


def apply_message(
    conversation: Conversation, *, direction: str, created_at: datetime, text: str
) -> None:
    """Update ``conversation`` in memory for one new message; the caller saves it."""
    if direction == Direction.NOTE:
        return
    conversation.message_count += 1
    if created_at < conversation.created_at:
        conversation.created_at = created_at
    if created_at >= conversation.last_message_at or conversation.message_count == 1:
        conversation.last_message_at = created_at
    if direction == Direction.INBOUND:
        conversation.preview = preview(text)
        if conversation.last_inbound_at is None or created_at > conversation.last_inbound_at:
            conversation.last_inbound_at = created_at
        if conversation.waiting_since is None or created_at < conversation.waiting_since:
            conversation.waiting_since = created_at
        if conversation.state in REOPENING_STATES:
            conversation.state = State.OPEN
            conversation.resolved_at = None
    else:
        # An answer stops the clock for everything the contact wrote before it.
        if conversation.waiting_since is not None and conversation.waiting_since <= created_at:
            conversation.waiting_since = None
            if conversation.last_inbound_at and conversation.last_inbound_at > created_at:
                conversation.waiting_since = conversation.last_inbound_at
        if conversation.first_response_at is None:
            conversation.first_response_at = created_at
        if conversation.state == State.NEW:
            conversation.state = State.OPEN
    conversation.sort_key = conversation.compute_sort_key()


AGGREGATE_FIELDS = [
    "created_at",
    "message_count",
    "last_message_at",
    "last_inbound_at",
    "waiting_since",
    "first_response_at",
    "state",
    "resolved_at",
    "preview",
    "sort_key",
]
