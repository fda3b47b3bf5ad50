"""The SLA pages: policies with how they were kept, business hours and holidays."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from statistics import median
from typing import Any

from django.contrib import messages
from django.db.models import Count, F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from resonanz.core.forms import posted, status_of
from resonanz.core.ordered import OrderedSettingsPages
from resonanz.core.permissions import Access, Capability
from resonanz.sla.business import upcoming_holidays
from resonanz.sla.forms import BusinessHoursForm, PolicyForm, holiday_choices
from resonanz.sla.models import WEEKDAYS, BusinessHours, Policy, Timer
from resonanz.sla.services import POLICIES, save_business_hours

REPORT_DAYS = 30


def _overview(access: Access, policy: Policy | None) -> dict[str, Any]:
    """For the list: how each policy was kept lately, and the hours it counts in."""
    if policy is not None:
        return {}
    now = timezone.now()
    rows = (
        Timer.objects.filter(
            workspace=access.workspace, started_at__gte=now - timedelta(days=REPORT_DAYS)
        )
        .values("policy_id")
        .annotate(
            total=Count("id"),
            kept=Count("id", filter=Q(answered=True, stopped_at__lte=F("due_at"))),
            # Answered after the deadline, or still waiting past it.
            late=Count(
                "id",
                filter=Q(answered=True, stopped_at__gt=F("due_at"))
                | Q(stopped_at__isnull=True, due_at__lt=now),
            ),
            running=Count("id", filter=Q(stopped_at__isnull=True)),
            overdue=Count("id", filter=Q(stopped_at__isnull=True, due_at__lt=now)),
        )
    )
    stats: dict[int | None, dict[str, Any]] = {row["policy_id"]: dict(row) for row in rows}
    waits: dict[int | None, list[float]] = defaultdict(list)
    for policy_key, started, answered in Timer.objects.filter(
        workspace=access.workspace,
        started_at__gte=now - timedelta(days=REPORT_DAYS),
        answered=True,
        stopped_at__isnull=False,
    ).values_list("policy_id", "started_at", "stopped_at"):
        if answered is not None:
            waits[policy_key].append((answered - started).total_seconds() / 60)
    for waited_under, minutes in waits.items():
        if waited_under in stats:
            # Wall-clock minutes from the contact's message to the answer, as they waited.
            stats[waited_under]["median_minutes"] = round(median(minutes))
    hours = BusinessHours.of(access.workspace.pk)
    upcoming = upcoming_holidays(
        hours.holiday_country, hours.holiday_subdivision, timezone.localdate(), days=120
    )
    return {
        "stats": stats,
        "report_days": REPORT_DAYS,
        "week": [(str(name), spans) for name, spans in zip(WEEKDAYS, hours.week, strict=True)],
        "holidays_label": dict(holiday_choices()).get(hours.holidays_key, ""),
        "upcoming": upcoming,
    }


pages = OrderedSettingsPages(
    POLICIES,
    PolicyForm,
    "sla",
    ("sla/policies.html", "sla/policy.html"),
    saved=gettext_lazy("Policy saved."),
    deleted=gettext_lazy("Policy deleted."),
    context=_overview,
)


def business_hours(request: HttpRequest, ws: str) -> HttpResponse:
    access: Access = request.access  # type: ignore[attr-defined]
    access.require(Capability.VIEW)
    hours = BusinessHours.of(access.workspace.pk)
    initial = BusinessHoursForm.data_for(hours.week, hours.holidays_key)
    form = BusinessHoursForm(posted(request), initial=initial)
    if request.method == "POST":
        access.require(Capability.MANAGE)
        if form.is_valid():
            data = form.cleaned_data
            save_business_hours(access, data["week"], data["country"], data["subdivision"])
            messages.success(request, _("Business hours saved."))
            return redirect("sla:list", ws=ws)
    return render(
        request,
        "sla/hours.html",
        {
            "form": form,
            "can_manage": access.can(Capability.MANAGE),
            "tz": access.workspace.timezone,
        },
        status=status_of(form),
    )
