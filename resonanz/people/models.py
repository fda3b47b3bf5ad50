"""Contacts (the people behind messages) and their identities on each channel."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resonanz.core.models import Workspace


class Contact(models.Model):
    """A person across channels; identities on each channel point here."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="contacts")
    display_name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    message_count = models.PositiveIntegerField(default=0)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "-last_seen_at"], name="contact_ws_seen_idx"),
            models.Index(fields=["workspace", "email"], name="contact_ws_email_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email or f"#{self.pk}"


class Identity(models.Model):
    """Who a contact is on one channel (the platform's author id and handle)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="identities")
    channel = models.ForeignKey(
        "channels.Channel", on_delete=models.CASCADE, related_name="identities"
    )
    external_id = models.CharField(max_length=255)
    handle = models.CharField(max_length=200, blank=True)
    reach = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], name="identity_unique")
        ]
