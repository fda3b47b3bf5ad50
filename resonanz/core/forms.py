"""Small helpers every form page shares."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest


def posted(request: HttpRequest) -> Any:
    """The data to bind a form to: every POST, even an empty one (``request.POST or None``
    would treat an empty POST as a first visit and answer it 200 without a word)."""
    return request.POST if request.method == "POST" else None


def status_of(*maybe_forms: forms.BaseForm | None) -> int:
    """400 when a bound form was refused, else 200."""
    return 400 if any(f is not None and f.is_bound and f.errors for f in maybe_forms) else 200
