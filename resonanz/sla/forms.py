"""The SLA forms: a policy (conditions, time, escalation) and the business hours."""

from __future__ import annotations

from datetime import time
from typing import Any

import holidays
from django import forms
from django.utils.translation import gettext_lazy as _

from resonanz.inbox.conditions import CONVERSATION_CHANGES, MESSAGE_CONDITIONS, ConditionsForm
from resonanz.sla.models import WEEKDAYS, Policy

# A week at most: a longer promise is no promise.
MAX_MINUTES = 7 * 24 * 60
COUNTRIES = {"DE": _("Germany"), "AT": _("Austria"), "CH": _("Switzerland")}


class PolicyForm(ConditionsForm):
    condition_names = MESSAGE_CONDITIONS
    action_names = CONVERSATION_CHANGES

    class Meta:
        model = Policy
        fields = [
            "name",
            "enabled",
            *MESSAGE_CONDITIONS,
            "first_response_minutes",
            "business_hours_only",
            *CONVERSATION_CHANGES,
        ]
        help_texts = {
            "first_response_minutes": _(
                "From the contact's first unanswered message to the team's answer: 60 = one "
                "hour, 480 = a working day of eight hours."
            ),
        }

    def condition_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in MESSAGE_CONDITIONS]

    def action_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in CONVERSATION_CHANGES]

    def clean_first_response_minutes(self) -> int:
        minutes = self.cleaned_data["first_response_minutes"]
        if not 1 <= minutes <= MAX_MINUTES:
            raise forms.ValidationError(
                _("Between 1 minute and %(max)d minutes (a week).") % {"max": MAX_MINUTES}
            )
        return int(minutes)


def holiday_choices() -> list[tuple[str, str]]:
    """Country, or country and state, whose public holidays the team keeps (named in the
    active language, so computed per request)."""
    choices: list[tuple[str, str]] = [("", str(_("none")))]
    for country, name in COUNTRIES.items():
        calendar = holidays.country_holidays(country)
        choices.append((country, f"{name}: {_('nationwide')}"))
        names: dict[str, str] = {}
        for alias, code in calendar.subdivisions_aliases.items():
            if len(alias) > len(names.get(code, "")):
                names[code] = alias
        for code in calendar.subdivisions:
            if code in names:
                choices.append((f"{country}-{code}", f"{name}: {names[code]}"))
    return choices


class BusinessHoursForm(forms.Form):
    """Opening hours per weekday (one span; both empty = closed) and the holidays kept."""

    holidays = forms.ChoiceField(label=_("Public holidays"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["holidays"].choices = holiday_choices()  # type: ignore[attr-defined]
        for day, name in enumerate(WEEKDAYS):
            widget = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
            self.fields[f"opens_{day}"] = forms.TimeField(label=name, required=False, widget=widget)
            self.fields[f"closes_{day}"] = forms.TimeField(
                label=_("until"), required=False, widget=widget
            )

    def days(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (str(name), self[f"opens_{day}"], self[f"closes_{day}"])
            for day, name in enumerate(WEEKDAYS)
        ]

    @staticmethod
    def initial_for(week: list[list[list[str]]], country: str, subdivision: str) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "holidays": f"{country}-{subdivision}" if subdivision else country
        }
        for day, spans in enumerate(week):
            if spans:
                initial[f"opens_{day}"], initial[f"closes_{day}"] = spans[0]
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        week: list[list[list[str]]] = []
        for day in range(7):
            opens: time | None = data.get(f"opens_{day}")
            closes: time | None = data.get(f"closes_{day}")
            if opens is None and closes is None:
                week.append([])
            elif opens is None or closes is None or opens >= closes:
                self.add_error(f"closes_{day}", _("Give both times, the first before the second."))
            else:
                week.append([[opens.strftime("%H:%M"), closes.strftime("%H:%M")]])
        if len(week) == 7 and not any(week):
            raise forms.ValidationError(_("Open on at least one day of the week."))
        country, _sep, subdivision = (data.get("holidays") or "").partition("-")
        data["week"], data["country"], data["subdivision"] = week, country, subdivision
        return data
