"""What the team has taught triage, and what it changed."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext, gettext_lazy

from resonanz.core.permissions import Access, Capability
from resonanz.triage.models import LabelExample, WorkspaceModel
from resonanz.triage.services import MIN_EXAMPLES

TASK_NAMES = {
    "intent": gettext_lazy("Intent"),
    "sentiment": gettext_lazy("Mood"),
    "spam": gettext_lazy("spam"),
    "offensive": gettext_lazy("offensive"),
}
# Where a task's label reads differently on its own ("other" as an offensive label).
LABEL_NAMES = {
    ("spam", "ham"): gettext_lazy("not spam"),
    ("offensive", "other"): gettext_lazy("not offensive"),
}


def label_name(task: str, label: str) -> str:
    """A triage label as the team reads it, in the active language."""
    return str(LABEL_NAMES.get((task, label)) or gettext(label)) if label else ""


def percent(share: float | None) -> int | None:
    return None if share is None else round(share * 100)


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
                "name": TASK_NAMES[task],
                "counts": counts.get(task, {"total": 0, "explicit": 0, "implied": 0}),
                "model": model,
                "base": percent(model.base_accuracy) if model else None,
                "in_order": percent(model.in_order_accuracy) if model else None,
                "new_wording": percent(model.adapted_accuracy) if model else None,
            }
        )
    recent = [
        {
            "example": example,
            "task": TASK_NAMES.get(example.task, example.task),
            "predicted": label_name(example.task, example.predicted),
            "label": label_name(example.task, example.label),
        }
        for example in LabelExample.objects.filter(workspace=access.workspace)
        .select_related("created_by")
        .order_by("-id")[:20]
    ]
    return render(
        request,
        "settings/learning.html",
        {"rows": rows, "recent": recent, "min_examples": MIN_EXAMPLES},
    )
