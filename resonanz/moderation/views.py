"""The moderation rules pages: list, edit, try on recent messages, switch on and off."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from resonanz.core.ordered import OrderedSettingsPages
from resonanz.core.permissions import Access, Capability
from resonanz.moderation import engine
from resonanz.moderation.forms import RuleForm
from resonanz.moderation.models import Rule, RuleHit
from resonanz.moderation.services import RULES

RECENT_HITS = 20


def _recent_hits(access: Access, rule: Rule | None) -> dict[str, Any]:
    """What the rule did lately, shown on its page."""
    if rule is None:
        return {}
    hits = (
        RuleHit.objects.filter(rule=rule)
        .select_related("message", "conversation")
        .order_by("-id")[:RECENT_HITS]
    )
    return {"hits": hits}


pages = OrderedSettingsPages(
    RULES,
    RuleForm,
    "moderation",
    ("moderation/rules.html", "moderation/rule.html"),
    saved=_("Rule saved."),
    deleted=_("Rule deleted."),
    context=_recent_hits,
)


@require_POST
def preview(request: HttpRequest, ws: str) -> HttpResponse:
    """What the rule in the form would have done to the latest messages (nothing is saved)."""
    access: Access = request.access  # type: ignore[attr-defined]
    access.require(Capability.VIEW)
    form = RuleForm(request.POST, workspace=access.workspace)
    if not form.is_valid():
        return render(request, "moderation/_preview.html", {"form": form}, status=400)
    matched, looked_at, examples = engine.preview(form.save(commit=False))
    return render(
        request,
        "moderation/_preview.html",
        {"matched": matched, "looked_at": looked_at, "examples": examples},
    )
