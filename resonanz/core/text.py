"""Turning untrusted plain text into safe HTML, once, at write time."""

from __future__ import annotations

import re

import nh3
from django.utils.html import escape, linebreaks, urlize

ALLOWED_TAGS = {"a", "br", "p"}
# Anything urlize could turn into a link: a scheme, www., an address, or a dotted domain.
MAYBE_LINK = re.compile(r"://|www\.|@|\.[a-zA-Z]{2,}", re.ASCII)
ALLOWED_ATTRIBUTES = {"a": {"href"}}


def render_plain_text(text: str) -> str:
    """Escape visitor text, make http(s) links clickable and keep line breaks.

    The result passes an allow-list sanitizer as a second line of defence, so even a bug in
    linkifying can never let markup through.
    """
    if MAYBE_LINK.search(text):
        linked = urlize(text, trim_url_limit=60, nofollow=False, autoescape=True)
    else:
        linked = escape(text)  # urlize is the slow part of rendering; most texts have no link
    html = linebreaks(linked, autoescape=False)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener noreferrer",
    )


def clean_text(text: str, max_length: int) -> str:
    """Normalise visitor input: no NUL or other control characters, trimmed, bounded."""
    cleaned = "".join(ch for ch in text if ch in "\n\t" or ord(ch) >= 32).strip()
    return cleaned[:max_length]


def preview(text: str, length: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1] + "…"
