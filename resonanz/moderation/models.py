"""Moderation rules: conditions on a message's triage labels and text, and what to do."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from resonanz.core.models import Workspace
from resonanz.core.ordered import OrderedSetting
from resonanz.inbox.conditions import ConversationChanges, MessageConditions


class Flag(models.TextChoices):
    OFFENSIVE = "offensive", _("offensive")
    SPAM = "spam", _("spam")


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
    # The message only, not the conversation: it waits in the review queue for approval.
    HOLD = "held", _("Hold for review (not public until approved)")


class Rule(OrderedSetting, MessageConditions, ConversationChanges):
    """When a new inbound message meets every condition set here, the actions run.

    Empty conditions match anything; a rule needs at least one condition and one action.
    The worker applies the workspace's enabled rules in ``position`` order right after
    triage, as the rule itself (the audit log names it), never as a person: so a rule's
    hiding teaches the triage models nothing.
    """

    # Conditions.
    flag = models.CharField(_("flagged as"), max_length=16, choices=Flag.choices, blank=True)
    min_score = models.FloatField(_("with a score of at least"), default=0.5)
    offensive_kind = models.CharField(
        _("kind of offence"), max_length=16, choices=list(OFFENSIVE_KIND_NAMES.items()), blank=True
    )
    words = models.TextField(_("contains one of these words"), blank=True)
    # Actions.
    moderate = models.CharField(_("moderate"), max_length=16, choices=Moderate.choices, blank=True)
    # Bookkeeping.
    hit_count = models.PositiveIntegerField(default=0)
    last_hit_at = models.DateTimeField(null=True, blank=True)

    class Meta(OrderedSetting.Meta):
        indexes = [models.Index(fields=["workspace", "enabled"], name="rule_ws_enabled_idx")]

    def conditions_text(self) -> list[str]:
        """The conditions as the team reads them, in the active language."""
        parts = []
        if self.flag:
            parts.append(
                _("flagged %(flag)s, score ≥ %(score)s")
                % {"flag": self.get_flag_display(), "score": number_format(self.min_score, 2)}
            )
        if self.offensive_kind:
            parts.append(
                f"{self._meta.get_field('offensive_kind').verbose_name}: "  # type: ignore[union-attr]
                f"{self.get_offensive_kind_display()}"
            )
        if self.words:
            entries = self.words.splitlines()
            shown = ", ".join(entries[:5]) + (" …" if len(entries) > 5 else "")
            parts.append(_("words: %(words)s") % {"words": shown})
        return parts + self.message_conditions_text()

    def actions_text(self) -> list[str]:
        moderate = [str(self.get_moderate_display())] if self.moderate else []
        return moderate + self.changes_text()

    def change_arguments(self) -> dict[str, Any]:
        """The ``update_conversation`` arguments the rule's actions stand for."""
        arguments = super().change_arguments()
        if self.moderate in (Moderate.HIDE, Moderate.SPAM):
            arguments["state"] = self.moderate
        return arguments


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
