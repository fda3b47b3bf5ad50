from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django import template
from django.utils import formats
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

register = template.Library()


@register.filter
def urlencode_params(params: dict[str, Any]) -> str:
    """A dict of query parameters as a query string (values are escaped)."""
    return urlencode({k: v for k, v in (params or {}).items() if v not in (None, "")})


# Triage's rule evidence (see triage/pipeline.py), as the team reads it on hover.
WHY_PHRASES = {
    "repeated text": _("the same text several times"),
    "known-bad domain": _("known spam domain"),
    "threat": _("threat"),
    "cue:greeting": _("a greeting to everyone"),
    "failed service": _("a failed service described"),
    "offensive": _("offensive"),
    "spam": _("spam"),
}
LINKS_PATTERN = re.compile(r"(\d+) links")
# Rule evidence "kind:label" (cue and mood rules in triage/pipeline.py, urgency reasons in
# triage/urgency.py): the label is translated into the template.
LABEL_REASONS = {
    "cue": _("cue words for “%(label)s”"),
    "mood": _("mood: %(label)s"),
    "sentiment": _("mood: %(label)s"),
    "intent": _("intent: %(label)s"),
}


def _reason(kind: str, value: str) -> str | None:
    """A "kind:value" rule reason as words, or None if it is none of them."""
    if not value:
        return None
    if kind in LABEL_REASONS:
        return str(LABEL_REASONS[kind]) % {"label": gettext(value)}
    if kind == "risk":
        return gettext("risk word “%(word)s”") % {"word": value}
    if kind in ("reach", "reactions") and value.isdigit():
        count = int(value)
        number = formats.number_format(count, force_grouping=True)
        if kind == "reach":
            return ngettext("%(count)s follower", "%(count)s followers", count) % {"count": number}
        return ngettext("%(count)s reaction", "%(count)s reactions", count) % {"count": number}
    return None


@register.filter
def why(words: list[str] | None) -> str:
    """The evidence behind a triage label, readable: words, cue and mood rules, reasons."""
    parts = []
    for word in words or []:
        kind, _separator, value = str(word).partition(":")
        reason = None if str(word) in WHY_PHRASES else _reason(kind, value)
        links = LINKS_PATTERN.fullmatch(str(word))
        if reason:
            parts.append(reason)
        elif links:
            count = int(links.group(1))
            parts.append(ngettext("%(count)d link", "%(count)d links", count) % {"count": count})
        else:
            parts.append(str(WHY_PHRASES.get(str(word), word)))
    return ", ".join(parts)


@register.filter
def get_item(mapping: dict[Any, Any] | None, key: Any) -> Any:
    """``mapping[key]`` in a template, None when absent."""
    return (mapping or {}).get(key)


@register.filter
def duration_minutes(minutes: int | None) -> str:
    """A span of minutes as people say it: "45 min", "8 h", "1 h 30 min"."""
    if minutes is None:
        return ""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return gettext("%(minutes)d min") % {"minutes": rest}
    if not rest:
        return gettext("%(hours)d h") % {"hours": hours}
    return gettext("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}
