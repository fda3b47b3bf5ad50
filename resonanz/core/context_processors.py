from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from resonanz.core.models import Membership


def workspace(request: HttpRequest) -> dict[str, Any]:
    """The current workspace and the user's other workspaces, for the header switcher."""
    access = getattr(request, "access", None)
    if access is None or not request.user.is_authenticated:
        return {}
    return {
        "access": access,
        "workspace": access.workspace,
        "my_workspaces": Membership.objects.filter(user=request.user)
        .select_related("workspace")
        .order_by("workspace__name"),
    }
