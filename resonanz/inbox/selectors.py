"""Reads of the inbox, always scoped to one workspace."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from resonanz.core.models import Workspace
from resonanz.inbox.models import (
    Conversation,
    ConversationRead,
    Direction,
    Mention,
    Message,
    State,
    Tag,
    Visibility,
)
from resonanz.inbox.search import matching_conversations_sql

PAGE_SIZE = 50
DEFAULT_STATES = [State.NEW, State.OPEN]
FILTER_KEYS = (
    "state",
    "channel",
    "tag",
    "assignee",
    "priority",
    "language",
    "kind",
    "since",
    "until",
    "q",
    "unread",
    "sort",
    "sentiment",
    "intent",
    "flag",
    "mentioned",
    "sla",
)
SENTIMENTS = ("positive", "neutral", "negative")
INTENTS = ("question", "complaint", "praise", "feedback", "lead", "other")
FLAGS = ("spam", "offensive", "clean", "held")
# A waiting conversation's SLA clock: any running one, or past its deadline.
SLA_FILTERS = ("running", "overdue")
SORTS = ("waiting", "recent", "due")
# The orders on a time column: the column, and whether the newest comes first.
TIME_ORDERS = {"recent": ("last_message_at", True), "due": ("sla_due_at", False)}


class InvalidFilter(ValueError):
    """A filter value that cannot be understood (reported to the caller as 400)."""


@dataclass(frozen=True)
class InboxFilter:
    states: tuple[str, ...] = tuple(DEFAULT_STATES)
    channel: str = ""
    tag: str = ""
    assignee: str = ""  # "", "me", "none" or a user id
    priority: int | None = None
    language: str = ""
    kind: str = ""
    since: date | None = None
    until: date | None = None
    q: str = ""
    unread: bool = False
    sort: str = "waiting"  # waiting | recent
    sentiment: str = ""
    intent: str = ""
    flag: str = ""  # spam | offensive | clean | held (a comment waits for approval)
    mentioned: bool = False  # only conversations where a note mentions the viewer
    sla: str = ""  # running | overdue

    @classmethod
    def from_params(cls, params: Any) -> InboxFilter:
        """Build a filter from query parameters (a QueryDict or a plain dict)."""

        def get(key: str) -> str:
            value = params.get(key, "")
            return str(value).strip() if value is not None else ""

        state = get("state")
        if state == "all":
            states: tuple[str, ...] = tuple(State.values)
        elif state:
            states = tuple(s for s in state.split(",") if s)
            unknown = set(states) - set(State.values)
            if unknown:
                raise InvalidFilter(f"Unknown state: {', '.join(sorted(unknown))}.")
        else:
            states = tuple(DEFAULT_STATES)
        priority = None
        if get("priority"):
            try:
                priority = int(get("priority"))
            except ValueError as exc:
                raise InvalidFilter("priority must be a number 0-3.") from exc
        for key, allowed in (
            ("sentiment", SENTIMENTS),
            ("intent", INTENTS),
            ("flag", FLAGS),
            ("sla", SLA_FILTERS),
        ):
            if get(key) and get(key) not in allowed:
                raise InvalidFilter(f"{key} must be one of {', '.join(allowed)}.")
        sort = get("sort") or "waiting"
        if sort not in SORTS:
            raise InvalidFilter(f"sort must be one of {', '.join(SORTS)}.")
        return cls(
            states=states,
            channel=get("channel"),
            tag=get("tag"),
            assignee=get("assignee"),
            priority=priority,
            language=get("language"),
            kind=get("kind"),
            since=_parse_date(get("since"), "since"),
            until=_parse_date(get("until"), "until"),
            q=get("q")[:200],
            unread=get("unread") in ("1", "true", "on"),
            sort=sort,
            sentiment=get("sentiment"),
            intent=get("intent"),
            flag=get("flag"),
            mentioned=get("mentioned") in ("me", "1", "true"),
            sla=get("sla"),
        )

    def as_params(self) -> dict[str, str]:
        params: dict[str, str] = {}
        if set(self.states) != set(DEFAULT_STATES):
            params["state"] = ",".join(self.states)
        for key in (
            "channel",
            "tag",
            "assignee",
            "language",
            "kind",
            "q",
            "sentiment",
            "intent",
            "flag",
            "sla",
        ):
            if getattr(self, key):
                params[key] = getattr(self, key)
        if self.priority is not None:
            params["priority"] = str(self.priority)
        if self.since:
            params["since"] = self.since.isoformat()
        if self.until:
            params["until"] = self.until.isoformat()
        if self.unread:
            params["unread"] = "1"
        if self.mentioned:
            params["mentioned"] = "me"
        if self.sort != "waiting":
            params["sort"] = self.sort
        return params


def _parse_date(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidFilter(f"{name} must be a date like 2026-11-25.") from exc


def conversations_for(workspace: Workspace) -> QuerySet[Conversation]:
    return Conversation.objects.filter(workspace=workspace)


def get_conversation(workspace: Workspace, conversation_id: int) -> Conversation:
    """The conversation if it belongs to ``workspace``; 404 otherwise (no existence leak)."""
    conversation = (
        conversations_for(workspace)
        .select_related("channel", "thread", "contact", "assignee")
        .filter(pk=conversation_id)
        .first()
    )
    if conversation is None:
        raise Http404("No such conversation.")
    return conversation


def _encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidFilter(
            "The page cursor is not valid; start again from the first page."
        ) from exc
    if not isinstance(values, list) or len(values) != 2:
        raise InvalidFilter("The page cursor is not valid; start again from the first page.")
    return values


@dataclass
class ConversationPage:
    conversations: list[Conversation]
    next_cursor: str | None


def list_conversations(
    workspace: Workspace,
    filters: InboxFilter,
    *,
    user_id: int | None,
    cursor: str | None = None,
    page_size: int = PAGE_SIZE,
) -> ConversationPage:
    """One page of the inbox, keyset-paginated (no COUNT, constant cost per page)."""
    qs = conversations_for(workspace).filter(state__in=filters.states)
    if filters.channel:
        qs = qs.filter(channel__slug=filters.channel)
    if filters.tag:
        # The tag's id first, in its own query: joined to the tag table by name, the
        # planner could not tell how common a tag is and chose a parallel plan that cost
        # 20x more on PostgreSQL.
        tag_id = (
            Tag.objects.filter(workspace=workspace, name=filters.tag)
            .values_list("pk", flat=True)
            .first()
        )
        if tag_id is None:
            qs = qs.none()
        else:
            tagged = Conversation.tags.through.objects.filter(tag_id=tag_id)
            qs = qs.filter(pk__in=tagged.values("conversation_id"))
    if filters.assignee == "me":
        qs = qs.filter(assignee_id=user_id)
    elif filters.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee:
        if not filters.assignee.isdigit():
            raise InvalidFilter("assignee must be 'me', 'none' or a user id.")
        qs = qs.filter(assignee_id=int(filters.assignee))
    if filters.priority is not None:
        qs = qs.filter(priority=filters.priority)
    if filters.language:
        qs = qs.filter(language=filters.language)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.sentiment:
        qs = qs.filter(sentiment=filters.sentiment)
    if filters.intent:
        qs = qs.filter(intent=filters.intent)
    if filters.flag == "spam":
        qs = qs.filter(spam=True)
    elif filters.flag == "offensive":
        qs = qs.filter(offensive=True)
    elif filters.flag == "clean":
        qs = qs.filter(spam=False, offensive=False)
    elif filters.flag == "held":
        qs = qs.filter(
            Exists(
                Message.objects.filter(
                    conversation_id=OuterRef("pk"),
                    direction=Direction.INBOUND,
                    visibility=Visibility.HELD,
                )
            )
        )
    if filters.sla or filters.sort == "due":
        qs = qs.filter(sla_due_at__isnull=False, waiting_since__isnull=False)
    if filters.sla == "overdue":
        qs = qs.filter(sla_due_at__lt=timezone.now())
    tz = timezone.get_current_timezone()
    if filters.since:
        qs = qs.filter(last_message_at__gte=datetime.combine(filters.since, time.min, tz))
    if filters.until:
        end = datetime.combine(filters.until + timedelta(days=1), time.min, tz)
        qs = qs.filter(last_message_at__lt=end)
    if filters.q:
        matched = matching_conversations_sql(workspace.pk, filters.q)
        if matched is not None:
            sql, params = matched
            qs = qs.filter(pk__in=RawSQL(sql, params))  # noqa: S611 (parameterised)
    if filters.mentioned and user_id is not None:
        qs = qs.filter(
            Exists(Mention.objects.filter(conversation_id=OuterRef("pk"), user_id=user_id))
        )
    if filters.unread and user_id is not None:
        qs = qs.exclude(
            Exists(
                ConversationRead.objects.filter(
                    conversation_id=OuterRef("pk"),
                    user_id=user_id,
                    read_at__gte=OuterRef("last_message_at"),
                )
            )
        )
    if filters.sort in TIME_ORDERS:
        # Keyset on a time column: newest activity first, or the earliest deadline first.
        column, newest_first = TIME_ORDERS[filters.sort]
        after = "lt" if newest_first else "gt"
        if cursor:
            last_at, last_id = _decode_cursor(cursor)
            try:
                last_dt = datetime.fromisoformat(str(last_at))
            except ValueError as exc:
                raise InvalidFilter("The page cursor is not valid.") from exc
            qs = qs.filter(
                Q(**{f"{column}__{after}": last_dt})
                | Q(**{column: last_dt, f"id__{after}": last_id})
            )
        qs = qs.order_by(*([f"-{column}", "-id"] if newest_first else [column, "id"]))
    else:
        if cursor:
            last_key, last_id = _decode_cursor(cursor)
            if not isinstance(last_key, int) or not isinstance(last_id, int):
                raise InvalidFilter("The page cursor is not valid.")
            qs = qs.filter(Q(sort_key__gt=last_key) | Q(sort_key=last_key, id__gt=last_id))
        qs = qs.order_by("sort_key", "id")
    rows = list(
        qs.select_related("channel", "contact", "assignee").prefetch_related("tags")[
            : page_size + 1
        ]
    )
    next_cursor = None
    if len(rows) > page_size:
        rows = rows[:page_size]
        last = rows[-1]
        if filters.sort in TIME_ORDERS:
            # Never None here: the "due" order only lists conversations with a deadline.
            moment = getattr(last, TIME_ORDERS[filters.sort][0])
            next_cursor = _encode_cursor([moment.isoformat(), last.pk])
        else:
            next_cursor = _encode_cursor([last.sort_key, last.pk])
    if user_id is not None and rows:
        reads = dict(
            ConversationRead.objects.filter(
                user_id=user_id, conversation_id__in=[c.pk for c in rows]
            ).values_list("conversation_id", "read_at")
        )
        for conv in rows:
            read_at = reads.get(conv.pk)
            conv.is_unread = read_at is None or read_at < conv.last_message_at  # type: ignore[attr-defined]
    return ConversationPage(rows, next_cursor)


def conversation_messages(conversation: Conversation) -> QuerySet[Message]:
    return (
        Message.objects.filter(conversation=conversation)
        .select_related("author_user", "author_contact")
        .order_by("created_at", "id")
    )


def public_context(conversation: Conversation, limit: int = 20) -> list[Message]:
    """Other published comments on the same page or post: the readers of a public reply."""
    if conversation.thread_id is None:
        return []
    return list(
        Message.objects.filter(
            conversation__thread_id=conversation.thread_id, visibility="published"
        )
        .exclude(conversation=conversation)
        .select_related("author_user")
        .order_by("-created_at")[:limit]
    )
