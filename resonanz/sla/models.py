"""SLA policies: how fast the team promises to answer which messages, in which hours.

The team's own written guideline in code: a policy matches a waiting conversation by the
same conditions as a moderation rule (mood, intent, language, channel, kind, priority),
sets the time by which someone must answer, counted in the workspace's business hours
(the public holidays of its country or state excluded) or around the clock, and says what happens
when that time passes (priority, assignee, tag).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from resonanz.core.models import Workspace
from resonanz.core.ordered import OrderedSetting
from resonanz.inbox.conditions import ConversationChanges, MessageConditions

WEEKDAYS = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]


def default_week() -> list[list[list[str]]]:
    """Monday to Friday 08:00-18:00."""
    return [[["08:00", "18:00"]] for _ in range(5)] + [[], []]


class BusinessHours(models.Model):
    """When the team works: opening hours per weekday and the public holidays it keeps."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="business_hours"
    )
    # Per weekday (0 = Monday) a list of [start, end] times "HH:MM"; [] = closed.
    week = models.JSONField(default=default_week)
    holiday_country = models.CharField(_("public holidays of"), max_length=2, default="DE")
    # A state ("BY", "HE", ...) adds its own holidays (Fronleichnam, Reformationstag ...).
    holiday_subdivision = models.CharField(_("state"), max_length=8, blank=True)

    def __str__(self) -> str:
        return f"{self.workspace}: {self.week}"

    @classmethod
    def of(cls, workspace_id: int) -> BusinessHours:
        """The workspace's hours, or until they are set the defaults the page shows."""
        return cls.objects.filter(workspace_id=workspace_id).first() or cls(
            workspace_id=workspace_id
        )

    @property
    def holidays_key(self) -> str:
        """The holidays kept as the page and the API name them: "DE", "DE-HE" or ""."""
        if self.holiday_subdivision:
            return f"{self.holiday_country}-{self.holiday_subdivision}"
        return self.holiday_country


class Policy(OrderedSetting, MessageConditions, ConversationChanges):
    """First response within ``first_response_minutes`` for matching conversations.

    The first enabled policy (by ``position``) that a waiting conversation meets sets its
    clock. The changes (priority, assignee, tag) are the escalation when the time passes.
    """

    first_response_minutes = models.PositiveIntegerField(_("answer within (minutes)"))
    business_hours_only = models.BooleanField(_("count business hours only"), default=True)

    class Meta(OrderedSetting.Meta):
        verbose_name_plural = "policies"


class Timer(models.Model):
    """One wait of one conversation under a policy: from the contact's first unanswered
    message (``started_at``, the conversation's ``waiting_since``) to the answer."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        "inbox.Conversation", on_delete=models.CASCADE, related_name="sla_timers"
    )
    policy = models.ForeignKey(Policy, on_delete=models.SET_NULL, null=True, related_name="+")
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    # When the wait ended: the first answer after started_at, or, for a wait closed without
    # an answer, when the scheduled check noticed (then answered is False).
    stopped_at = models.DateTimeField(null=True, blank=True)
    answered = models.BooleanField(default=False)
    breached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "started_at"], name="sla_timer_unique")
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=models.Q(stopped_at__isnull=True),
                name="sla_timer_open_idx",
            ),
            models.Index(fields=["workspace", "-started_at"], name="sla_timer_ws_idx"),
        ]

    @property
    def met(self) -> bool | None:
        """Answered in time; None while running or when closed without an answer."""
        if self.stopped_at is None or not self.answered:
            return None
        return self.stopped_at <= self.due_at
