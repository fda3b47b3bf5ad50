"""Counting time in business hours: opening hours per weekday, public holidays skipped.

All arithmetic is done in UTC; local times (the workspace's time zone) only mark where a
working day opens and closes, so a clock change in spring or autumn neither adds nor loses
an hour of promised time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.utils.translation import get_language

# Looking further ahead than this means there are no opening hours at all.
MAX_DAYS = 400


@lru_cache(maxsize=64)
def public_holidays(country: str, subdivision: str) -> holidays.HolidayBase:
    """The holiday calendar (years are added as they are asked for)."""
    return holidays.country_holidays(country, subdiv=subdivision or None)


def holiday_name(day: date, country: str, subdivision: str) -> str | None:
    return public_holidays(country, subdivision).get(day) if country else None


def upcoming_holidays(
    country: str, subdivision: str, start: date, days: int, limit: int = 6
) -> list[tuple[date, str]]:
    """The next public holidays from ``start``, named in the active language where the
    calendar knows it (German, English)."""
    if not country:
        return []
    language = "de" if (get_language() or "").startswith("de") else "en_US"
    calendar = holidays.country_holidays(
        country,
        subdiv=subdivision or None,
        years=[start.year, start.year + 1],
        language=language,
    )
    end = start + timedelta(days=days)
    return sorted((day, name) for day, name in calendar.items() if start <= day <= end)[:limit]


def parse_time(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def add_business_minutes(
    start: datetime,
    minutes: int,
    week: Sequence[Sequence[Sequence[str]]],
    tz: ZoneInfo,
    country: str = "",
    subdivision: str = "",
) -> datetime:
    """The moment ``minutes`` of working time after ``start`` (an aware datetime).

    A start outside opening hours counts from the next opening. Days that are a public
    holiday of ``country``/``subdivision`` are closed.
    """
    remaining = timedelta(minutes=minutes)
    cursor = start.astimezone(UTC)
    day = start.astimezone(tz).date()
    for _ in range(MAX_DAYS):
        if holiday_name(day, country, subdivision) is None:
            for opening, closing in week[day.weekday()]:
                opens = datetime.combine(day, parse_time(opening), tz).astimezone(UTC)
                closes = datetime.combine(day, parse_time(closing), tz).astimezone(UTC)
                if cursor >= closes:
                    continue
                begin = max(cursor, opens)
                if begin + remaining <= closes:
                    return begin + remaining
                remaining -= closes - begin
                cursor = closes
        day += timedelta(days=1)
    raise ValueError("No opening hours in the next year: the deadline cannot be counted.")
