"""Conversations, messages, tags, saved views, read state, presence and realtime events."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resonanz.core.models import Workspace
from resonanz.core.text import clean_text

# Conversations nobody is waiting on sort after every waiting one (see ``Conversation.sort_key``).
NOT_WAITING_BASE = 10**11


class State(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    RESOLVED = "resolved", _("Resolved")
    SPAM = "spam", _("Spam")
    HIDDEN = "hidden", _("Hidden")


class Priority(models.IntegerChoices):
    LOW = 0, _("Low")
    NORMAL = 1, _("Normal")
    HIGH = 2, _("High")
    URGENT = 3, _("Urgent")


class ConversationKind(models.TextChoices):
    COMMENT = "comment", _("Public comment")
    FEEDBACK = "feedback", _("Private feedback")
    DM = "dm", _("Direct message")
    MENTION = "mention", _("Mention")


class Thread(models.Model):
    """The public place a comment lives (an article page, a post): who else reads a reply."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey("channels.Channel", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=500)
    url = models.URLField(max_length=1000, blank=True)
    title = models.CharField(max_length=300, blank=True)
    # Bumped whenever what the public sees changes; part of the widget's cache key.
    public_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "key"], name="thread_unique")]

    def __str__(self) -> str:
        return self.title or self.url or self.key


TAG_LENGTH = 60


def tag_name(text: str) -> str:
    """A tag's name as typed, made safe: one line, no control characters, bounded."""
    return clean_text(text, TAG_LENGTH).replace("\n", " ")


class Tag(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("name"), max_length=TAG_LENGTH)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="tag_unique")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Conversation(models.Model):
    """A thread of messages with one contact: a comment thread, a feedback, a DM."""

    # Foreign keys led by a composite index below get no single-column index of their own:
    # every index costs each of the millions of inserts.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="conversations", db_index=False
    )
    channel = models.ForeignKey(
        "channels.Channel", on_delete=models.CASCADE, related_name="conversations", db_index=False
    )
    thread = models.ForeignKey(
        Thread, on_delete=models.SET_NULL, null=True, blank=True, related_name="conversations"
    )
    contact = models.ForeignKey(
        "people.Contact",
        on_delete=models.SET_NULL,
        null=True,
        related_name="conversations",
        db_index=False,
    )
    external_key = models.CharField(max_length=255)
    kind = models.CharField(
        max_length=16, choices=ConversationKind.choices, default=ConversationKind.COMMENT
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.NEW)
    priority = models.SmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_conversations",
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="conversations")
    language = models.CharField(max_length=8, blank=True)
    # Triage of the latest inbound message, for chips and filters (see inbox.processing).
    sentiment = models.CharField(max_length=16, blank=True)
    intent = models.CharField(max_length=16, blank=True)
    spam = models.BooleanField(default=False)
    offensive = models.BooleanField(default=False)
    preview = models.CharField(max_length=300, blank=True)
    message_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    # The oldest inbound message nobody has answered yet; None when nobody waits.
    waiting_since = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Ascending order = the inbox's default: longest waiting first, then most recent activity.
    sort_key = models.BigIntegerField(default=0)
    # When an answer is due under the SLA policy of the current wait (see resonanz.sla).
    sla_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_key"], name="conversation_unique")
        ]
        indexes = [
            models.Index(fields=["workspace", "sort_key", "id"], name="conv_ws_sort_idx"),
            models.Index(
                fields=["workspace", "state", "sort_key", "id"], name="conv_ws_state_sort_idx"
            ),
            models.Index(
                fields=["workspace", "-last_message_at", "-id"], name="conv_ws_recent_idx"
            ),
            models.Index(fields=["workspace", "assignee", "sort_key"], name="conv_ws_assignee_idx"),
            models.Index(fields=["contact", "-last_message_at"], name="conv_contact_idx"),
            models.Index(
                fields=["workspace", "sla_due_at", "id"],
                condition=models.Q(sla_due_at__isnull=False),
                name="conv_ws_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.preview[:40]}"

    def compute_sort_key(self) -> int:
        if self.waiting_since is not None:
            return int(self.waiting_since.timestamp())
        return NOT_WAITING_BASE - int(self.last_message_at.timestamp())


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Reply")
    NOTE = "note", _("Internal note")


class Visibility(models.TextChoices):
    PUBLISHED = "published", _("Published")
    HELD = "held", _("Held for moderation")
    HIDDEN = "hidden", _("Hidden")
    PRIVATE = "private", _("Private")


class Message(models.Model):
    """One inbound message, outbound reply or internal note.

    ``body`` is the text as received; ``body_html`` is rendered once at write time (escaped,
    links made clickable) and is the only form ever shown as HTML.
    """

    # Foreign keys led by a composite index below get no single-column index of their own:
    # every index costs each of the millions of inserts.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    channel = models.ForeignKey(
        "channels.Channel", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    external_id = models.CharField(max_length=255)
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )
    direction = models.CharField(max_length=16, choices=Direction.choices)
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PUBLISHED
    )
    author_contact = models.ForeignKey(
        "people.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_name = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    body_html = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    received_at = models.DateTimeField(default=timezone.now)
    visitor_token_hash = models.CharField(max_length=64, blank=True)
    mentions = models.JSONField(default=list, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    # Likes, shares and replies counted by the platform when the message arrived.
    reactions = models.PositiveIntegerField(null=True, blank=True)
    # Triage (filled by the worker after ingestion).
    language = models.CharField(max_length=8, blank=True)
    sentiment = models.CharField(max_length=16, blank=True)
    offensive = models.BooleanField(default=False)
    spam = models.BooleanField(default=False)
    intent = models.CharField(max_length=16, blank=True)
    triage = models.JSONField(default=dict, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    process_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], name="message_unique")
        ]
        indexes = [
            models.Index(fields=["conversation", "created_at", "id"], name="msg_conv_idx"),
            models.Index(fields=["workspace", "-created_at"], name="msg_ws_created_idx"),
        ]


class Mention(models.Model):
    """A member named with @ in an internal note: it shows under "Mentions" for them."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "conversation"], name="mention_user_idx")]


class ConversationRead(models.Model):
    """When a member last looked at a conversation (unread = newer messages since)."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conversation", "user"], name="read_unique")]


class Presence(models.Model):
    """Who has a conversation open or is typing in it, for collision warnings."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="presences"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    typing = models.BooleanField(default=False)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="presence_unique")
        ]


class SavedView(models.Model):
    """A named filter of the inbox; ``user`` None means shared with the workspace."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="saved_views")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=80)
    params = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]


class Event(models.Model):
    """A realtime event for open inboxes; every web process reads the same table."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32)
    conversation_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["workspace", "id"], name="event_ws_idx")]
