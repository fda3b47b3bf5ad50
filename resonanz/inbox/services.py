"""Changes to conversations. The inbox pages and the REST API both call these.

Every function takes the caller's :class:`~resonanz.core.permissions.Access`, checks the role,
writes the change and its audit entry in one transaction, and publishes a realtime event.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from resonanz.channels.models import OutboxItem
from resonanz.core import audit
from resonanz.core.permissions import Access, Capability
from resonanz.core.text import clean_text, render_plain_text
from resonanz.inbox.aggregates import AGGREGATE_FIELDS, apply_message
from resonanz.inbox.models import (
    Conversation,
    ConversationKind,
    ConversationRead,
    Direction,
    Event,
    Mention,
    Message,
    Presence,
    Priority,
    State,
    Tag,
    Visibility,
    tag_name,
)
from resonanz.inbox.public import bump_public_version
from resonanz.inbox.search import index_messages

MAX_REPLY_LENGTH = 10_000
MENTION_RE = re.compile(r"@([\w.+-]+)")


class InvalidChange(ValueError):
    """A change that cannot be made as asked (reported as 400 with this message)."""


def publish_event(workspace_id: int, kind: str, conversation_id: int | None) -> None:
    Event.objects.create(workspace_id=workspace_id, kind=kind, conversation_id=conversation_id)


def _snapshot(conversation: Conversation) -> dict[str, Any]:
    return {
        "state": conversation.state,
        "priority": conversation.priority,
        "assignee_id": conversation.assignee_id,
    }


def _bump_public_thread(conversation: Conversation) -> None:
    bump_public_version([conversation.thread_id])


def _locked(conversation: Conversation) -> Conversation:
    return Conversation.objects.select_for_update().get(pk=conversation.pk)


def post_reply(access: Access, conversation: Conversation, text: str) -> Message:
    """Answer the contact; the answer is delivered through the outbox by the worker.

    Public comment threads get a public reply (shown under the comment once delivered);
    feedback and direct messages get a private one.
    """
    access.require(Capability.REPLY)
    body = clean_text(text, MAX_REPLY_LENGTH)
    if not body:
        raise InvalidChange("A reply needs some text.")
    now = timezone.now()
    with transaction.atomic():
        conv = _locked(conversation)
        before = _snapshot(conv)
        last_inbound = (
            Message.objects.filter(conversation=conv, direction=Direction.INBOUND)
            .order_by("-created_at", "-id")
            .first()
        )
        message = Message.objects.create(
            workspace_id=conv.workspace_id,
            conversation=conv,
            channel_id=conv.channel_id,
            external_id=f"resonanz-reply-{uuid.uuid4()}",
            parent=last_inbound,
            direction=Direction.OUTBOUND,
            # Not public until the outbox has delivered it.
            visibility=Visibility.HELD
            if conv.kind == ConversationKind.COMMENT
            else Visibility.PRIVATE,
            author_user_id=access.user_id,
            author_name=_user_label(access.user_id),
            body=body,
            body_html=render_plain_text(body),
            created_at=now,
            received_at=now,
            processed_at=now,
        )
        apply_message(conv, direction=Direction.OUTBOUND, created_at=now, text=body)
        conv.save(update_fields=AGGREGATE_FIELDS)
        outbox = OutboxItem.objects.create(
            workspace_id=conv.workspace_id,
            channel_id=conv.channel_id,
            message=message,
            idempotency_key=uuid.uuid4().hex,
            created_by_id=access.user_id,
        )
        index_messages([message])
        audit.record(
            workspace=access.workspace,
            actor_id=access.user_id,
            action="conversation.reply",
            object_type="conversation",
            object_id=conv.pk,
            before=before,
            after={**_snapshot(conv), "message_id": message.pk},
        )
        publish_event(conv.workspace_id, "reply", conv.pk)
        transaction.on_commit(lambda: _enqueue_delivery(outbox.pk))
    conversation.refresh_from_db()
    return message


def _enqueue_delivery(outbox_id: int) -> None:
    from resonanz.channels.tasks import deliver_outbox

    deliver_outbox.enqueue(outbox_id)


def _user_label(user_id: int | None) -> str:
    if user_id is None:
        return ""
    user = get_user_model().objects.filter(pk=user_id).first()
    return user.label if user else ""  # type: ignore[attr-defined]


def add_note(access: Access, conversation: Conversation, text: str) -> Message:
    """An internal note for the team; ``@name`` mentions members of the workspace."""
    access.require(Capability.REPLY)
    body = clean_text(text, MAX_REPLY_LENGTH)
    if not body:
        raise InvalidChange("A note needs some text.")
    mentioned = _mentioned_user_ids(access, body)
    now = timezone.now()
    with transaction.atomic():
        message = Message.objects.create(
            workspace_id=conversation.workspace_id,
            conversation=conversation,
            channel_id=conversation.channel_id,
            external_id=f"resonanz-note-{uuid.uuid4()}",
            direction=Direction.NOTE,
            visibility=Visibility.PRIVATE,
            author_user_id=access.user_id,
            author_name=_user_label(access.user_id),
            body=body,
            body_html=render_plain_text(body),
            created_at=now,
            received_at=now,
            processed_at=now,
            mentions=mentioned,
        )
        Mention.objects.bulk_create(
            Mention(conversation=conversation, message=message, user_id=uid) for uid in mentioned
        )
        audit.record(
            workspace=access.workspace,
            actor_id=access.user_id,
            action="conversation.note",
            object_type="conversation",
            object_id=conversation.pk,
            after={"message_id": message.pk, "mentions": mentioned},
        )
        publish_event(conversation.workspace_id, "note", conversation.pk)
    return message


def _mentioned_user_ids(access: Access, body: str) -> list[int]:
    names = {m.lower() for m in MENTION_RE.findall(body)}
    if not names:
        return []
    ids = []
    for user in get_user_model().objects.filter(memberships__workspace=access.workspace):
        candidates = {user.email.lower(), user.email.split("@")[0].lower()}
        if getattr(user, "display_name", ""):
            candidates.add(user.display_name.lower().replace(" ", ""))  # type: ignore[attr-defined]
        if candidates & names:
            ids.append(user.pk)
    return ids


def update_conversation(
    access: Access,
    conversation: Conversation,
    *,
    state: str | None = None,
    priority: int | None = None,
    assignee_id: int | None | str = "unchanged",
    add_tags: Sequence[str] = (),
    remove_tags: Sequence[str] = (),
) -> Conversation:
    """Change state, priority, assignee and tags; one audit entry with before and after."""
    access.require(Capability.TRIAGE)
    if state is not None and state not in State.values:
        raise InvalidChange(f"Unknown state {state!r}; use one of {', '.join(State.values)}.")
    if state in (State.SPAM, State.HIDDEN):
        access.require(Capability.MODERATE)
    if priority is not None and priority not in Priority.values:
        raise InvalidChange("priority must be 0 (low), 1 (normal), 2 (high) or 3 (urgent).")
    if assignee_id not in ("unchanged", None) and not _is_member(access, assignee_id):
        raise InvalidChange("The assignee must be a member of this workspace.")
    tags_to_add = [_clean_tag(t) for t in add_tags]
    with transaction.atomic():
        conv = _locked(conversation)
        before = {**_snapshot(conv), "tags": sorted(conv.tags.values_list("name", flat=True))}
        fields: list[str] = []
        if state is not None and state != conv.state:
            was_public = conv.state not in (State.SPAM, State.HIDDEN)
            conv.state = state
            conv.resolved_at = timezone.now() if state == State.RESOLVED else None
            fields += ["state", "resolved_at"]
            if state in (State.SPAM, State.HIDDEN, State.RESOLVED):
                # Nobody waits on a closed conversation; it leaves the waiting order.
                conv.waiting_since = None
                conv.sort_key = conv.compute_sort_key()
                fields += ["waiting_since", "sort_key"]
            is_public = state not in (State.SPAM, State.HIDDEN)
            if was_public != is_public:
                _set_inbound_visibility(conv, public=is_public)
            _teach_triage(access, conv, before["state"], state)
        if priority is not None and priority != conv.priority:
            conv.priority = priority
            fields.append("priority")
        if assignee_id != "unchanged" and assignee_id != conv.assignee_id:
            conv.assignee_id = int(assignee_id) if assignee_id is not None else None
            fields.append("assignee")
        if fields:
            conv.save(update_fields=fields)
        for name in tags_to_add:
            tag, _ = Tag.objects.get_or_create(workspace_id=conv.workspace_id, name=name)
            conv.tags.add(tag)
        if remove_tags:
            conv.tags.remove(
                *Tag.objects.filter(workspace_id=conv.workspace_id, name__in=remove_tags)
            )
        after = {**_snapshot(conv), "tags": sorted(conv.tags.values_list("name", flat=True))}
        if after != before:
            audit.record(
                workspace=access.workspace,
                actor_id=access.user_id,
                actor_label=access.actor_label,
                action="conversation.update",
                object_type="conversation",
                object_id=conv.pk,
                before=before,
                after=after,
            )
            publish_event(conv.workspace_id, "update", conv.pk)
        if "priority" in fields and conv.waiting_since is not None:
            # A higher priority may fall under a stricter SLA policy (never a looser one).
            transaction.on_commit(lambda: _tighten_clock(conv.pk))
    conversation.refresh_from_db()
    return conversation


def _tighten_clock(conversation_id: int) -> None:
    from resonanz.sla.engine import start_timers

    start_timers([conversation_id])


def _teach_triage(access: Access, conv: Conversation, old_state: str, new_state: str) -> None:
    """Marking spam, un-marking it, hiding and taking a hide back are labelled examples for
    the workspace (a person's only: see ``record_implied``)."""
    from resonanz.triage.services import record_implied

    if new_state == State.SPAM:
        record_implied(access, conv, "spam", "spam")
    elif old_state == State.SPAM:
        record_implied(access, conv, "spam", "ham")
    if new_state == State.HIDDEN:
        record_implied(access, conv, "offensive", "offensive")
    elif old_state == State.HIDDEN and new_state != State.SPAM:
        # A hide taken back (a rule's, say): what was flagged is acceptable here.
        record_implied(access, conv, "offensive", "other", _flagged_inbound(conv))


def _flagged_inbound(conversation: Conversation, **which: Any) -> QuerySet[Message]:
    return Message.objects.filter(
        conversation=conversation, direction=Direction.INBOUND, offensive=True, **which
    )


def _set_inbound_visibility(conversation: Conversation, *, public: bool) -> None:
    """Hide or re-publish the contact's public comments (spam and hidden are not shown)."""
    if conversation.kind != ConversationKind.COMMENT:
        return
    qs = Message.objects.filter(conversation=conversation, direction=Direction.INBOUND)
    if public:
        qs.filter(visibility=Visibility.HIDDEN).update(visibility=Visibility.PUBLISHED)
    else:
        qs.filter(visibility=Visibility.PUBLISHED).update(visibility=Visibility.HIDDEN)
    _bump_public_thread(conversation)


def publish_held(access: Access, conversation: Conversation) -> int:
    """Approve a pre-moderated comment: it becomes visible on the website.

    A person approving a comment triage had flagged offensive says it is acceptable here:
    the workspace's triage learns that (as from any correction).
    """
    access.require(Capability.MODERATE)
    from resonanz.triage.services import record_implied

    with transaction.atomic():
        flagged = list(_flagged_inbound(conversation, visibility=Visibility.HELD))
        if flagged:
            record_implied(access, conversation, "offensive", "other", flagged)
        return _move_inbound(
            access, conversation, {"visibility": Visibility.HELD}, Visibility.PUBLISHED, "publish"
        )


def hold_message(access: Access, message: Message) -> int:
    """Take a published comment off the website until someone approves it (a review queue
    for the borderline cases a rule should not hide outright)."""
    access.require(Capability.MODERATE)
    conversation = message.conversation
    if conversation.kind != ConversationKind.COMMENT:
        return 0  # only public comments are public
    return _move_inbound(
        access,
        conversation,
        {"pk": message.pk, "visibility": Visibility.PUBLISHED},
        Visibility.HELD,
        "hold",
    )


def _move_inbound(
    access: Access, conversation: Conversation, which: dict[str, Any], to: str, verb: str
) -> int:
    """Change the visibility of some of the contact's messages; audited, published live."""
    with transaction.atomic():
        count = Message.objects.filter(
            conversation=conversation, direction=Direction.INBOUND, **which
        ).update(visibility=to)
        if count:
            _bump_public_thread(conversation)
            audit.record(
                workspace=access.workspace,
                actor_id=access.user_id,
                actor_label=access.actor_label,
                action=f"conversation.{verb}",
                object_type="conversation",
                object_id=conversation.pk,
                after={f"{to}_messages": count},
            )
            publish_event(conversation.workspace_id, "update", conversation.pk)
    return count


def _is_member(access: Access, user_id: object) -> bool:
    try:
        uid = int(str(user_id))
    except ValueError:
        return False
    return access.workspace.memberships.filter(user_id=uid).exists()


def _clean_tag(name: str) -> str:
    cleaned = tag_name(name)
    if not cleaned:
        raise InvalidChange("A tag needs a name.")
    return cleaned


BULK_STATES = {
    "resolve": State.RESOLVED,
    "open": State.OPEN,
    "spam": State.SPAM,
    "hide": State.HIDDEN,
}


def _bulk_change(access: Access, action: str, value: str) -> dict[str, Any]:
    """The ``update_conversation`` arguments one bulk action stands for."""
    if action in BULK_STATES:
        return {"state": BULK_STATES[action]}
    try:
        if action == "assign":
            return {
                "assignee_id": access.user_id if value == "me" else (int(value) if value else None)
            }
        if action == "priority":
            return {"priority": int(value)}
    except ValueError as exc:
        raise InvalidChange(f"{action} needs a number, not {value!r}.") from exc
    if action == "tag":
        return {"add_tags": [value]}
    raise InvalidChange(f"Unknown bulk action {action!r}.")


def bulk_update(
    access: Access, conversation_ids: Iterable[int], action: str, value: str = ""
) -> int:
    """Apply one action to many conversations of the workspace; ids elsewhere are ignored."""
    change = _bulk_change(access, action, value)
    ids = [int(i) for i in conversation_ids][:500]
    conversations = list(Conversation.objects.filter(workspace=access.workspace, pk__in=ids))
    for conv in conversations:
        update_conversation(access, conv, **change)
    return len(conversations)


def mark_read(user_id: int, conversation: Conversation) -> None:
    ConversationRead.objects.update_or_create(
        conversation=conversation, user_id=user_id, defaults={"read_at": timezone.now()}
    )


def touch_presence(user_id: int, conversation: Conversation, *, typing: bool) -> None:
    Presence.objects.update_or_create(
        conversation=conversation,
        user_id=user_id,
        defaults={"typing": typing, "seen_at": timezone.now()},
    )


def others_present(
    user_id: int, conversation: Conversation, within_seconds: int = 20
) -> list[Presence]:
    """Other members who had this conversation open recently (and whether they type)."""
    since = timezone.now() - timedelta(seconds=within_seconds)
    return list(
        Presence.objects.filter(conversation=conversation, seen_at__gte=since)
        .exclude(user_id=user_id)
        .select_related("user")
    )
