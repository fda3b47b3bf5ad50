"""What the team has taught triage, and what it changed."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from resonanz.core.permissions import Access, Capability
from resonanz.triage.models import LabelExample, WorkspaceModel
from resonanz.triage.services import MIN_EXAMPLES


def learning(request: HttpRequest, ws: str) -> HttpResponse:
    access: Access = request.access  # type: ignore[attr-defined]
    access.require(Capability.VIEW)
    counts = {
        row["task"]: row
        for row in LabelExample.objects.filter(workspace=access.workspace)
        .values("task")
        .annotate(
            total=Count("id"),
            explicit=Count("id", filter=Q(source="explicit")),
            implied=Count("id", filter=Q(source="implied")),
        )
    }
    trained = {m.task: m for m in WorkspaceModel.objects.filter(workspace=access.workspace)}
    rows = []
    for task in ("intent", "sentiment", "spam", "offensive"):
        model = trained.get(task)
        rows.append(
            {
                "task": task,
                "counts": counts.get(task, {"total": 0, "explicit": 0, "implied": 0}),
                "model": model,
                "base": round(model.base_accuracy * 100) if model else None,
                "adapted": round(model.adapted_accuracy * 100) if model else None,
            }
        )
    recent = (
        LabelExample.objects.filter(workspace=access.workspace)
        .select_related("created_by")
        .order_by("-id")[:20]
    )
    return render(
        request,
        "settings/learning.html",
        {"rows": rows, "recent": recent, "min_examples": MIN_EXAMPLES},
    )
