"""REST endpoints for SLA policies; validated by the same form as the policy page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Schema, Status

from resonanz.api.common import ErrorOut, InvalidOut, token_access
from resonanz.api.ordered import form_errors, ordered_settings_router
from resonanz.core.permissions import Capability
from resonanz.sla.forms import SPANS, BusinessHoursForm, PolicyForm
from resonanz.sla.models import BusinessHours, Policy
from resonanz.sla.services import POLICIES, save_business_hours

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


class HoursOut(Schema):
    """Opening hours per weekday (Monday first): up to two [start, end] spans "HH:MM", none
    when closed; and the public holidays kept ("DE", "DE-HE", "AT-9", "" for none)."""

    week: list[list[list[str]]]
    holidays: str


def _hours_out(hours: BusinessHours) -> dict[str, Any]:
    return {"week": hours.week, "holidays": hours.holidays_key}


@router.get("/hours", response=HoursOut, summary="The business hours SLA policies count in")
def get_hours(request: HttpRequest) -> dict[str, Any]:
    access = token_access(request)
    return _hours_out(BusinessHours.of(access.workspace.pk))


@router.put(
    "/hours",
    response={200: HoursOut, 400: InvalidOut, 403: ErrorOut},
    summary="Set the business hours (validated as on the page)",
)
def put_hours(request: HttpRequest, payload: HoursOut) -> Status[dict[str, Any]]:
    access = token_access(request)
    access.require(Capability.MANAGE)
    week = payload.week
    if len(week) != 7 or any(
        len(spans) > SPANS or any(len(s) != 2 for s in spans) for spans in week
    ):
        return Status(
            400,
            {
                "error": f"week is 7 days, each with at most {SPANS} [start, end] spans.",
                "fields": [],
            },
        )
    form = BusinessHoursForm(BusinessHoursForm.data_for(week, payload.holidays))
    if not form.is_valid():
        return Status(400, {"error": "Invalid business hours.", "fields": form_errors(form)})
    hours = save_business_hours(
        access,
        form.cleaned_data["week"],
        form.cleaned_data["country"],
        form.cleaned_data["subdivision"],
    )
    return Status(200, _hours_out(hours))
