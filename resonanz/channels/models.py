"""Channels (where messages come from and replies go) and the outbox."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resonanz.core.models import Workspace


def new_public_key() -> str:
    return secrets.token_urlsafe(12)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class ChannelKind(models.TextChoices):
    WIDGET = "widget", _("Website widget")
    WEBHOOK = "webhook", _("Webhook")
    IMPORT = "import", _("File import")


class Channel(models.Model):
    """A source of messages. ``config`` holds kind-specific settings (see ``WidgetConfig``)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="channels")
    kind = models.CharField(_("kind"), max_length=32, choices=ChannelKind.choices)
    slug = models.SlugField(_("slug"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    public_key = models.CharField(max_length=32, unique=True, default=new_public_key)
    secret = models.CharField(max_length=64, default=new_secret)
    config = models.JSONField(default=dict, blank=True)
    cursor = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "slug"], name="channel_slug_unique")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxItem(models.Model):
    """A reply to deliver, written in the same transaction as the reply itself.

    Delivery is keyed on ``idempotency_key`` so a retried task never posts twice.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="outbox")
    message = models.OneToOneField(
        "inbox.Message", on_delete=models.CASCADE, related_name="outbox_item"
    )
    status = models.CharField(
        max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    idempotency_key = models.CharField(max_length=64, unique=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    external_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx")]


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("waiting")
    INGESTED = "ingested", _("ingested")
    FAILED = "failed", _("failed")


class Delivery(models.Model):
    """Messages that arrived over HTTP and passed every check (a webhook body whose
    signature and schema checked out, a widget comment that passed the anti-spam checks),
    kept until the worker has ingested them.

    The endpoint answers as soon as this row is committed: senders and visitors get their
    answer in milliseconds whatever the inbox is doing, the worker ingests many deliveries
    in one transaction, and a body that ingestion cannot handle stays here with its error
    instead of being lost. The channel's connector reads the body back
    (``parse_delivery``). Bodies hold personal data, so ingested ones are deleted after
    ``DELIVERY_RETENTION_DAYS``.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="deliveries")
    body = models.TextField()
    item_count = models.PositiveIntegerField()
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    received_at = models.DateTimeField(default=timezone.now)
    ingested_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["channel", "id"],
                condition=models.Q(state="pending"),
                name="delivery_pending_idx",
            ),
            models.Index(fields=["received_at"], name="delivery_received_idx"),
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk} ({self.state})"
