"""REST endpoints for moderation rules; validated by the same form as the rule page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema

from resonanz.api.ordered import ordered_settings_router
from resonanz.moderation import services
from resonanz.moderation.forms import ACTIONS, CONDITIONS, RuleForm
from resonanz.moderation.models import Rule

FORM_FIELDS = ["name", "enabled", *CONDITIONS, "min_score", *ACTIONS]


class RuleOut(Schema):
    id: int
    name: str
    enabled: bool
    position: int
    flag: str
    min_score: float
    offensive_kind: str
    sentiment: str
    intent: str
    language: str
    channel_id: int | None
    conversation_kind: str
    words: list[str]
    min_priority: int | None
    moderate: str
    set_priority: int | None
    assign_to_id: int | None
    add_tag: str
    hit_count: int
    last_hit_at: datetime | None
    updated_at: datetime

    @staticmethod
    def of(rule: Rule) -> dict[str, Any]:
        data = {name: getattr(rule, name) for name in RuleOut.model_fields}
        data["words"] = rule.words.splitlines()
        return data


class RuleIn(Schema):
    """A rule's conditions and actions; on PATCH, only the fields sent change."""

    name: str | None = None
    enabled: bool | None = None
    flag: str | None = None
    min_score: float | None = None
    offensive_kind: str | None = None
    sentiment: str | None = None
    intent: str | None = None
    language: str | None = None
    channel_id: int | None = None
    conversation_kind: str | None = None
    words: list[str] | None = None
    min_priority: int | None = None
    moderate: str | None = None
    set_priority: int | None = None
    assign_to_id: int | None = None
    add_tag: str | None = None


router = ordered_settings_router(
    path="/rules",
    noun="rule",
    tag="moderation",
    settings=services.RULES,
    form_class=RuleForm,
    form_fields=FORM_FIELDS,
    schema_in=RuleIn,
    schema_out=RuleOut,
    to_out=RuleOut.of,
    list_fields=("words",),
)
