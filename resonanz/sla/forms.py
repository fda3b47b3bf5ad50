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


SPANS = 2  # per day: a morning and an afternoon, for a team that takes a lunch break


class BusinessHoursForm(forms.Form):
    """Opening hours per weekday (up to two spans; all empty = closed), holidays kept."""

    holidays = forms.ChoiceField(label=_("Public holidays"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["holidays"].choices = holiday_choices()  # type: ignore[attr-defined]
        for day, name in enumerate(WEEKDAYS):
            for span in range(SPANS):
                widget = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
                self.fields[_field("opens", span, day)] = forms.TimeField(
                    label=name, required=False, widget=widget
                )
                self.fields[_field("closes", span, day)] = forms.TimeField(
                    label=_("until"), required=False, widget=widget
                )

    def days(self) -> list[tuple[str, list[tuple[forms.BoundField, forms.BoundField]]]]:
        return [
            (
                str(name),
                [
                    (self[_field("opens", span, day)], self[_field("closes", span, day)])
                    for span in range(SPANS)
                ],
            )
            for day, name in enumerate(WEEKDAYS)
        ]

    @staticmethod
    def data_for(week: list[list[list[str]]], holidays: str) -> dict[str, Any]:
        """Form data (or initial values) for a week as the model stores it."""
        data: dict[str, Any] = {"holidays": holidays}
        for day, spans in enumerate(week):
            for span, (opens, closes) in enumerate(spans[:SPANS]):
                data[_field("opens", span, day)] = opens
                data[_field("closes", span, day)] = closes
        return data

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        week: list[list[list[str]]] = []
        for day in range(7):
            spans: list[list[str]] = []
            for span in range(SPANS):
                opens: time | None = data.get(_field("opens", span, day))
                closes: time | None = data.get(_field("closes", span, day))
                if opens is None and closes is None:
                    continue
                if opens is None or closes is None or opens >= closes:
                    self.add_error(
                        _field("closes", span, day),
                        _("Give both times, the first before the second."),
                    )
                elif spans and opens.strftime("%H:%M") < spans[-1][1]:
                    self.add_error(
                        _field("opens", span, day),
                        _("The second span starts after the first one ends."),
                    )
                else:
                    spans.append([opens.strftime("%H:%M"), closes.strftime("%H:%M")])
            week.append(spans)
        if not self.errors and not any(week):
            raise forms.ValidationError(_("Open on at least one day of the week."))
        country, _sep, subdivision = (data.get("holidays") or "").partition("-")
        data["week"], data["country"], data["subdivision"] = week, country, subdivision
        return data


def _field(kind: str, span: int, day: int) -> str:
    """``opens_0`` / ``closes_0`` for a day's first span (as before), ``opens2_0`` ... after."""
    return f"{kind}{span + 1 if span else ''}_{day}"
