"""Moderation rules: conditions on a message's triage labels and text, and what to do."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from resonanz.core.models import Workspace
from resonanz.inbox.models import ConversationKind, Priority
from resonanz.triage.labels import INTENT_LABELS, SENTIMENT_LABELS


class Flag(models.TextChoices):
    OFFENSIVE = "offensive", _("offensive")
    SPAM = "spam", _("spam")


def _label_choices(labels: tuple[str, ...]) -> list[tuple[str, str]]:
    """Triage's own label names as choices, shown as the inbox shows them."""
    return [(label, _(label)) for label in labels]  # type: ignore[misc]


# Named here so that makemessages finds them (the inbox shows them on the offensive chip).
OFFENSIVE_KIND_NAMES = {
    "insult": _("insult"),
    "profanity": _("profanity"),
    "threat": _("threat"),
    "hate": _("hate"),
}


class Moderate(models.TextChoices):
    HIDE = "hidden", _("Hide (no longer public)")
    SPAM = "spam", _("Mark as spam")


class Rule(models.Model):
    """When a new inbound message meets every condition set here, the actions run.

    Empty conditions match anything; a rule needs at least one condition and one action.
    The worker applies the workspace's enabled rules in ``position`` order right after
    triage, as the rule itself (the audit log names it), never as a person: so a rule's
    hiding teaches the triage models nothing.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    enabled = models.BooleanField(_("enabled"), default=True)
    position = models.PositiveIntegerField(default=0)
    # Conditions.
    flag = models.CharField(_("flagged as"), max_length=16, choices=Flag.choices, blank=True)
    min_score = models.FloatField(_("with a score of at least"), default=0.5)
    offensive_kind = models.CharField(
        _("kind of offence"), max_length=16, choices=list(OFFENSIVE_KIND_NAMES.items()), blank=True
    )
    sentiment = models.CharField(
        _("mood"), max_length=16, choices=_label_choices(SENTIMENT_LABELS), blank=True
    )
    intent = models.CharField(
        _("intent"), max_length=16, choices=_label_choices(INTENT_LABELS), blank=True
    )
    language = models.CharField(_("language"), max_length=8, blank=True)
    channel = models.ForeignKey(
        "channels.Channel",
        verbose_name=_("channel"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    conversation_kind = models.CharField(
        _("kind of conversation"), max_length=16, choices=ConversationKind.choices, blank=True
    )
    words = models.TextField(_("contains one of these words"), blank=True)
    min_priority = models.SmallIntegerField(
        _("triage priority at least"), choices=Priority.choices, null=True, blank=True
    )
    # Actions.
    moderate = models.CharField(_("moderate"), max_length=16, choices=Moderate.choices, blank=True)
    set_priority = models.SmallIntegerField(
        _("set priority"), choices=Priority.choices, null=True, blank=True
    )
    assign_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assign to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    add_tag = models.CharField(_("add tag"), max_length=60, blank=True)
    # Bookkeeping.
    hit_count = models.PositiveIntegerField(default=0)
    last_hit_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["workspace", "enabled"], name="rule_ws_enabled_idx")]

    def __str__(self) -> str:
        return self.name

    def conditions_text(self) -> list[str]:
        """The conditions as the team reads them, in the active language."""
        parts = []
        if self.flag:
            parts.append(
                _("flagged %(flag)s, score ≥ %(score)s")
                % {"flag": self.get_flag_display(), "score": number_format(self.min_score, 2)}
            )
        for name in ("offensive_kind", "sentiment", "intent", "conversation_kind"):
            if getattr(self, name):
                label = self._meta.get_field(name).verbose_name  # type: ignore[union-attr]
                parts.append(f"{label}: {getattr(self, f'get_{name}_display')()}")
        if self.language:
            parts.append(_("language: %(code)s") % {"code": self.language})
        if self.channel_id is not None:
            parts.append(_("channel: %(name)s") % {"name": self.channel})
        if self.words:
            entries = self.words.splitlines()
            shown = ", ".join(entries[:5]) + (" …" if len(entries) > 5 else "")
            parts.append(_("words: %(words)s") % {"words": shown})
        if self.min_priority is not None:
            parts.append(
                _("priority at least %(priority)s") % {"priority": self.get_min_priority_display()}
            )
        return parts

    def actions_text(self) -> list[str]:
        parts = []
        if self.moderate:
            parts.append(str(self.get_moderate_display()))
        if self.set_priority is not None:
            parts.append(_("priority %(priority)s") % {"priority": self.get_set_priority_display()})
        if self.assign_to_id is not None:
            parts.append(_("assign to %(name)s") % {"name": self.assign_to.label})  # type: ignore[union-attr]
        if self.add_tag:
            parts.append(_("tag %(tag)s") % {"tag": self.add_tag})
        return parts


class RuleHit(models.Model):
    """One message a rule acted on: the rule's record, and what makes re-runs harmless."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="hits")
    message = models.ForeignKey("inbox.Message", on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        "inbox.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    # What was done, once applied (None while pending).
    actions = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "message"], name="rule_hit_unique")]
        indexes = [
            models.Index(fields=["rule", "-id"], name="rule_hit_rule_idx"),
            models.Index(
                fields=["created_at"],
                condition=models.Q(applied_at__isnull=True),
                name="rule_hit_pending_idx",
            ),
        ]
