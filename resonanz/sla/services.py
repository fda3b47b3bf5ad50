"""Changes to SLA policies and business hours: the pages call these."""

from __future__ import annotations

from django.db import transaction

from resonanz.core import audit
from resonanz.core.ordered import OrderedSettings
from resonanz.core.permissions import Access, Capability
from resonanz.inbox.conditions import CONVERSATION_CHANGES, MESSAGE_CONDITIONS
from resonanz.sla.models import BusinessHours, Policy

POLICIES = OrderedSettings(
    Policy,
    "sla.policy",
    [
        "name",
        "enabled",
        *MESSAGE_CONDITIONS,
        "first_response_minutes",
        "business_hours_only",
        *CONVERSATION_CHANGES,
    ],
)


def save_business_hours(
    access: Access, week: list[list[list[str]]], country: str, subdivision: str
) -> BusinessHours:
    access.require(Capability.MANAGE)
    with transaction.atomic():
        hours, _ = BusinessHours.objects.select_for_update().get_or_create(
            workspace=access.workspace
        )
        before = {
            "week": hours.week,
            "country": hours.holiday_country,
            "subdivision": hours.holiday_subdivision,
        }
        hours.week, hours.holiday_country, hours.holiday_subdivision = week, country, subdivision
        hours.save()
        audit.record(
            workspace=access.workspace,
            actor_id=access.user_id,
            action="sla.hours.save",
            object_type="sla.hours",
            object_id=hours.pk,
            before=before,
            after={"week": week, "country": country, "subdivision": subdivision},
        )
    return hours
