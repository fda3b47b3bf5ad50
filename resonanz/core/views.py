from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from resonanz.core.models import Membership, WorkerHeartbeat


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    membership = Membership.objects.filter(user=request.user).select_related("workspace").first()
    if membership is None:
        return render(request, "core/no_workspace.html")
    return redirect("inbox:list", ws=membership.workspace.slug)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: the database answers and a worker reported recently."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except DatabaseError:
        database = "error"
    worker = "unknown"
    if database == "ok":
        cutoff = timezone.now() - timedelta(seconds=settings.WORKER_STALE_SECONDS)
        worker = (
            "ok" if WorkerHeartbeat.objects.filter(last_seen_at__gte=cutoff).exists() else "missing"
        )
    status = "ok" if database == "ok" and worker == "ok" else "degraded"
    return JsonResponse(
        {"status": status, "database": database, "worker": worker},
        status=200 if database == "ok" else 503,
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(("/api/", "/hooks/", "/widget/")):
        return JsonResponse({"error": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(("/api/", "/hooks/", "/widget/")):
        return JsonResponse({"error": "Internal error."}, status=500)
    return render(request, "500.html", status=500)
