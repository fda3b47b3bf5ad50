"""Request guards: body size limit and workspace resolution for /w/<slug>/ pages."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from resonanz.core.permissions import PermissionDeniedForRole, access_for

# Paths that legitimately carry large bodies (file import); everything else is small.
LARGE_BODY_PREFIXES = ("/w/", "/api/v1/import")


class RequestBodyLimitMiddleware:
    """Refuse oversize bodies with 413 before anything reads them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse({"error": "Invalid Content-Length header."}, status=400)
        limit = settings.MAX_REQUEST_BODY_BYTES
        if request.path.startswith(LARGE_BODY_PREFIXES) and "/import" in request.path:
            limit = settings.MAX_IMPORT_BODY_BYTES
        if length > limit:
            return JsonResponse(
                {"error": f"Request body too large: {length} bytes, the limit is {limit}."},
                status=413,
            )
        return self.get_response(request)


# Scripts only from our own origin, never inline: even if a visitor's text slipped through
# escaping, a browser would refuse to run it. The widget's host pages are not ours.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'; object-src 'none'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


class WorkspaceMiddleware:
    """Resolve ``request.access`` for views under /w/<ws>/; outsiders get 404.

    Anonymous visitors get 403 with a link to log in (no redirect that would confirm the
    workspace exists).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: Any,
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        slug = view_kwargs.get("ws")
        if slug is None:
            return None
        if not request.user.is_authenticated:
            login = reverse("login") + "?next=" + request.get_full_path()
            return render(request, "403_login.html", {"login_url": login}, status=403)
        access = access_for(request.user.pk, slug)
        request.access = access  # type: ignore[attr-defined]
        # Times on workspace pages are shown in the workspace's time zone.
        timezone.activate(zoneinfo.ZoneInfo(access.workspace.timezone))
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, PermissionDeniedForRole):
            if request.headers.get("HX-Request") or request.path.startswith("/api/"):
                return JsonResponse({"error": str(exception)}, status=403)
            return render(request, "403.html", {"message": str(exception)}, status=403)
        return None
