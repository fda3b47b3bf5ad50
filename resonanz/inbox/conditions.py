"""Conditions on a new message: what moderation rules and SLA policies both ask of it.

One place defines them (the abstract model), reads them (``Facts``), matches them
(:func:`matches_conditions`) and edits them (:class:`ConditionsForm`), so that "a negative
complaint in German on the website" means the same to a rule and to a policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext_lazy as _

from resonanz.core.models import Workspace
from resonanz.inbox.models import ConversationKind, Message, Priority, tag_name
from resonanz.triage.labels import (
    DEFAULT_LANGUAGES,
    INTENT_LABELS,
    PRIORITY_LABELS,
    SENTIMENT_LABELS,
)

# Triage's priority names as the conversation's priority values.
PRIORITY_BY_NAME = {name: Priority[name.upper()].value for name in PRIORITY_LABELS}


def label_choices(labels: tuple[str, ...]) -> list[tuple[str, str]]:
    """Triage's own label names as choices, shown as the inbox shows them."""
    return [(label, _(label)) for label in labels]  # type: ignore[misc]


class MessageConditions(models.Model):
    """Conditions on the message, its labels and its conversation; unset ones match."""

    sentiment = models.CharField(
        _("mood"), max_length=16, choices=label_choices(SENTIMENT_LABELS), blank=True
    )
    intent = models.CharField(
        _("intent"), max_length=16, choices=label_choices(INTENT_LABELS), blank=True
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
    min_priority = models.SmallIntegerField(
        _("priority at least"), choices=Priority.choices, null=True, blank=True
    )

    class Meta:
        abstract = True

    def message_conditions_text(self) -> list[str]:
        """The conditions as the team reads them, in the active language."""
        parts = []
        for name in ("sentiment", "intent", "conversation_kind"):
            if getattr(self, name):
                label = self._meta.get_field(name).verbose_name  # type: ignore[union-attr]
                parts.append(f"{label}: {getattr(self, f'get_{name}_display')()}")
        if self.language:
            parts.append(_("language: %(code)s") % {"code": self.language})
        if self.channel_id is not None:
            parts.append(_("channel: %(name)s") % {"name": self.channel})
        if self.min_priority is not None:
            parts.append(
                _("priority at least %(priority)s") % {"priority": self.get_min_priority_display()}  # type: ignore[attr-defined]
            )
        return parts


class ConversationChanges(models.Model):
    """What a rule or a policy may change on a conversation besides its state."""

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

    class Meta:
        abstract = True

    def changes_text(self) -> list[str]:
        parts = []
        if self.set_priority is not None:
            parts.append(
                _("priority %(priority)s") % {"priority": self.get_set_priority_display()}  # type: ignore[attr-defined]
            )
        if self.assign_to_id is not None:
            parts.append(_("assign to %(name)s") % {"name": self.assign_to.label})  # type: ignore[union-attr]
        if self.add_tag:
            parts.append(_("tag %(tag)s") % {"tag": self.add_tag})
        return parts

    def change_arguments(self) -> dict[str, Any]:
        """The ``update_conversation`` arguments these changes stand for."""
        arguments: dict[str, Any] = {}
        if self.set_priority is not None:
            arguments["priority"] = self.set_priority
        if self.assign_to_id is not None:
            arguments["assignee_id"] = self.assign_to_id
        if self.add_tag:
            arguments["add_tags"] = [self.add_tag]
        return arguments


CONVERSATION_CHANGES = ["set_priority", "assign_to", "add_tag"]
MESSAGE_CONDITIONS = [
    "sentiment",
    "intent",
    "language",
    "channel",
    "conversation_kind",
    "min_priority",
]


@dataclass(frozen=True)
class Facts:
    """What conditions may ask of one message: its text, its triage and where it came from."""

    text: str
    language: str
    sentiment: str
    intent: str
    offensive: bool
    offensive_score: float
    offensive_kind: str
    spam: bool
    spam_score: float
    priority: int
    channel_id: int
    conversation_kind: str

    @classmethod
    def from_labels(
        cls, text: str, labels: Mapping[str, Any], channel_id: int, conversation_kind: str
    ) -> Facts:
        """From the label columns as stored on a message (``triage`` holds the scores and
        triage's priority for the message)."""
        details = labels.get("triage") or {}
        return cls(
            text=text,
            language=str(labels.get("language") or ""),
            sentiment=str(labels.get("sentiment") or ""),
            intent=str(labels.get("intent") or ""),
            offensive=bool(labels.get("offensive")),
            offensive_score=float(details.get("offensive_score") or 0.0),
            offensive_kind=str(details.get("offensive_kind") or ""),
            spam=bool(labels.get("spam")),
            spam_score=float(details.get("spam_score") or 0.0),
            priority=PRIORITY_BY_NAME.get(str(details.get("priority")), -1),
            channel_id=channel_id,
            conversation_kind=conversation_kind,
        )

    @classmethod
    def of_message(cls, message: Message, conversation_kind: str) -> Facts:
        labels = {
            name: getattr(message, name)
            for name in ("language", "sentiment", "intent", "offensive", "spam", "triage")
        }
        return cls.from_labels(message.body, labels, message.channel_id, conversation_kind)


def matches_conditions(conditions: MessageConditions, facts: Facts) -> bool:
    """Whether the message meets every message condition set (unset ones match)."""
    for name in ("sentiment", "intent", "language", "conversation_kind"):
        if getattr(conditions, name) and getattr(conditions, name) != getattr(facts, name):
            return False
    if conditions.channel_id is not None and conditions.channel_id != facts.channel_id:
        return False
    return conditions.min_priority is None or facts.priority >= conditions.min_priority


class ConditionsForm(forms.ModelForm):
    """A form for a model with message conditions and actions, limited to one workspace:
    its channels, its members, its languages."""

    language = forms.ChoiceField(label=_("language"), required=False)
    condition_names: list[str] = MESSAGE_CONDITIONS
    action_names: list[str] = []
    member_fields: tuple[str, ...] = ("assign_to",)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.workspace = workspace
        self.fields["channel"].queryset = workspace.channels.all()  # type: ignore[attr-defined]
        for name in self.member_fields:
            self.fields[name].queryset = get_user_model().objects.filter(  # type: ignore[attr-defined]
                memberships__workspace=workspace
            )
        languages = workspace.languages or list(DEFAULT_LANGUAGES)
        self.fields["language"].choices = [("", "")] + [  # type: ignore[attr-defined]
            (code, code) for code in languages
        ]
        # An unset select reads as what it means: a condition that matches any message,
        # an action that changes nothing.
        for names, blank in ((self.condition_names, _("any")), (self.action_names, _("no change"))):
            for name in names:
                field = self.fields[name]
                if hasattr(field, "empty_label"):
                    field.empty_label = blank
                elif hasattr(field, "choices"):
                    field.choices = [("", blank)] + [c for c in field.choices if c[0] != ""]

    def clean_add_tag(self) -> str:
        return tag_name(self.cleaned_data.get("add_tag") or "")

    def condition_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.condition_names]

    def action_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.action_names]

    def has_condition(self, data: Mapping[str, Any]) -> bool:
        return any(data.get(name) not in (None, "", False) for name in self.condition_names)

    def has_action(self, data: Mapping[str, Any]) -> bool:
        return any(data.get(name) not in (None, "") for name in self.action_names)
