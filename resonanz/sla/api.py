"""REST endpoints for SLA policies; validated by the same form as the policy page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema

from resonanz.api.ordered import ordered_settings_router
from resonanz.sla.forms import PolicyForm
from resonanz.sla.models import Policy
from resonanz.sla.services import POLICIES

FORM_FIELDS = POLICIES.audited_fields


class PolicyOut(Schema):
    id: int
    name: str
    enabled: bool
    position: int
    sentiment: str
    intent: str
    language: str
    channel_id: int | None
    conversation_kind: str
    min_priority: int | None
    first_response_minutes: int
    business_hours_only: bool
    set_priority: int | None
    assign_to_id: int | None
    add_tag: str
    updated_at: datetime

    @staticmethod
    def of(policy: Policy) -> dict[str, Any]:
        return {name: getattr(policy, name) for name in PolicyOut.model_fields}


class PolicyIn(Schema):
    """A policy's conditions, time and escalation; on PATCH, only the fields sent change."""

    name: str | None = None
    enabled: bool | None = None
    sentiment: str | None = None
    intent: str | None = None
    language: str | None = None
    channel_id: int | None = None
    conversation_kind: str | None = None
    min_priority: int | None = None
    first_response_minutes: int | None = None
    business_hours_only: bool | None = None
    set_priority: int | None = None
    assign_to_id: int | None = None
    add_tag: str | None = None


router = ordered_settings_router(
    path="/policies",
    noun="policy",
    tag="sla",
    settings=POLICIES,
    form_class=PolicyForm,
    form_fields=FORM_FIELDS,
    schema_in=PolicyIn,
    schema_out=PolicyOut,
    to_out=PolicyOut.of,
)
