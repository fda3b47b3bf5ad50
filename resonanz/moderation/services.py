"""Changes to moderation rules: the pages and the API both call these."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.forms.models import model_to_dict
from django.utils import timezone

from resonanz.core import audit
from resonanz.core.permissions import Access, Capability
from resonanz.moderation.models import Rule

# What the audit log keeps of a rule: its conditions and actions, not its counters.
AUDITED_FIELDS = [
    "name",
    "enabled",
    "flag",
    "min_score",
    "offensive_kind",
    "sentiment",
    "intent",
    "language",
    "channel",
    "conversation_kind",
    "words",
    "min_priority",
    "moderate",
    "set_priority",
    "assign_to",
    "add_tag",
]


def _state(rule: Rule) -> dict[str, Any]:
    return model_to_dict(rule, fields=AUDITED_FIELDS)


def save_rule(access: Access, rule: Rule) -> Rule:
    """Create or change a rule (validated by its form); one audit entry with the change."""
    access.require(Capability.MANAGE)
    if rule.workspace_id != access.workspace.pk:
        raise ValueError("A rule belongs to the workspace it is saved in.")
    with transaction.atomic():
        before: dict[str, Any] = {}
        if rule.pk is None:
            highest = Rule.objects.filter(workspace=access.workspace).aggregate(Max("position"))
            rule.position = (highest["position__max"] or 0) + 1
            rule.created_by_id = access.user_id
        else:
            before = _state(Rule.objects.select_for_update().get(pk=rule.pk))
        rule.updated_at = timezone.now()
        rule.save()
        audit.record(
            workspace=access.workspace,
            actor_id=access.user_id,
            action="moderation.rule.save",
            object_type="rule",
            object_id=rule.pk,
            before=before,
            after=_state(rule),
        )
    return rule


def set_enabled(access: Access, rule: Rule, enabled: bool) -> Rule:
    access.require(Capability.MANAGE)
    if rule.enabled != enabled:
        rule.enabled = enabled
        save_rule(access, rule)
    return rule


def delete_rule(access: Access, rule: Rule) -> None:
    access.require(Capability.MANAGE)
    with transaction.atomic():
        audit.record(
            workspace=access.workspace,
            actor_id=access.user_id,
            action="moderation.rule.delete",
            object_type="rule",
            object_id=rule.pk,
            before=_state(rule),
        )
        rule.delete()
