from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template

register = template.Library()


@register.filter
def urlencode_params(params: dict[str, Any]) -> str:
    """A dict of query parameters as a query string (values are escaped)."""
    return urlencode({k: v for k, v in (params or {}).items() if v not in (None, "")})
