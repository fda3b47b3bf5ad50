"""REST endpoints for moderation rules; validated by the same form as the rule page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.forms.models import model_to_dict
from django.http import HttpRequest
from ninja import Router, Schema, Status

from resonanz.core.permissions import Access, Capability
from resonanz.moderation import services
from resonanz.moderation.forms import ACTIONS, CONDITIONS, RuleForm
from resonanz.moderation.models import Rule

router = Router(tags=["moderation"])
FORM_FIELDS = ["name", "enabled", *CONDITIONS, "min_score", *ACTIONS]


class ErrorOut(Schema):
    error: str
    fields: list[dict[str, str]] = []


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


def _access(request: HttpRequest) -> Access:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _rule(access: Access, rule_id: int) -> Rule:
    return services.RULES.get(access, rule_id)


def _save(access: Access, payload: RuleIn, rule: Rule | None) -> Status[dict[str, Any]]:
    access.require(Capability.MANAGE)
    # The rule as it stands (or the defaults), then what the request changes; JSON null
    # clears a condition or action, a missing field leaves it.
    data: dict[str, Any] = model_to_dict(rule or Rule(), fields=FORM_FIELDS)
    for name, value in payload.model_dump(exclude_unset=True).items():
        key = name.removesuffix("_id")
        data[key] = "\n".join(value) if name == "words" and value else value
    data = {key: "" if value is None else value for key, value in data.items()}
    form = RuleForm(data, instance=rule, workspace=access.workspace)
    if not form.is_valid():
        fields = [
            {
                "field": field if field != "__all__" else "",
                "message": " ".join(str(m) for m in messages),
            }
            for field, messages in form.errors.items()
        ]
        return Status(400, {"error": "Invalid rule.", "fields": fields})
    saved = services.save_rule(access, form.save(commit=False))
    return Status(200 if rule else 201, RuleOut.of(saved))


@router.get("/rules", response=list[RuleOut], summary="The workspace's moderation rules, in order")
def list_rules(request: HttpRequest) -> list[dict[str, Any]]:
    access = _access(request)
    return [RuleOut.of(rule) for rule in Rule.objects.filter(workspace=access.workspace)]


@router.post(
    "/rules",
    response={201: RuleOut, 400: ErrorOut, 403: ErrorOut},
    summary="Create a rule (at least one condition and one action)",
)
def create_rule(request: HttpRequest, payload: RuleIn) -> Status[dict[str, Any]]:
    return _save(_access(request), payload, None)


@router.get("/rules/{rule_id}", response={200: RuleOut, 404: ErrorOut})
def get_rule(request: HttpRequest, rule_id: int) -> dict[str, Any]:
    return RuleOut.of(_rule(_access(request), rule_id))


@router.patch(
    "/rules/{rule_id}",
    response={200: RuleOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Change a rule's conditions, actions, name or switch it on or off",
)
def patch_rule(request: HttpRequest, rule_id: int, payload: RuleIn) -> Status[dict[str, Any]]:
    access = _access(request)
    return _save(access, payload, _rule(access, rule_id))


@router.delete("/rules/{rule_id}", response={204: None, 403: ErrorOut, 404: ErrorOut})
def delete_rule(request: HttpRequest, rule_id: int) -> Status[None]:
    access = _access(request)
    services.delete_rule(access, _rule(access, rule_id))
    return Status(204, None)
