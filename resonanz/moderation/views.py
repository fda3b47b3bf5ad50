"""The moderation rules pages: list, edit, try on recent messages, switch on and off."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from resonanz.core.permissions import Access, Capability
from resonanz.moderation import engine, services
from resonanz.moderation.forms import RuleForm
from resonanz.moderation.models import Rule, RuleHit

RECENT_HITS = 20


def _access(request: HttpRequest) -> Access:
    return request.access  # type: ignore[attr-defined,no-any-return]


def _rule(access: Access, pk: int) -> Rule:
    """A rule of this workspace; another workspace's id is as unknown as a made-up one."""
    rule = Rule.objects.filter(workspace=access.workspace, pk=pk).first()
    if rule is None:
        raise Http404("No such rule.")
    return rule


def rules(request: HttpRequest, ws: str) -> HttpResponse:
    access = _access(request)
    access.require(Capability.VIEW)
    return render(
        request,
        "moderation/rules.html",
        {
            "rules": Rule.objects.filter(workspace=access.workspace).select_related(
                "channel", "assign_to"
            ),
            "can_manage": access.can(Capability.MANAGE),
        },
    )


def edit(request: HttpRequest, ws: str, pk: int | None = None) -> HttpResponse:
    access = _access(request)
    rule = _rule(access, pk) if pk is not None else None
    if request.method == "POST":
        access.require(Capability.MANAGE)
    form = RuleForm(request.POST or None, instance=rule, workspace=access.workspace)
    if request.method == "POST" and form.is_valid():
        services.save_rule(access, form.save(commit=False))
        messages.success(request, _("Rule saved."))
        return redirect("moderation:rules", ws=ws)
    hits = (
        RuleHit.objects.filter(rule=rule)
        .select_related("message", "conversation")
        .order_by("-id")[:RECENT_HITS]
        if rule is not None
        else []
    )
    return render(
        request,
        "moderation/rule.html",
        {
            "form": form,
            "rule": rule,
            "hits": hits,
            "can_manage": access.can(Capability.MANAGE),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def preview(request: HttpRequest, ws: str) -> HttpResponse:
    """What the rule in the form would have done to the latest messages (nothing is saved)."""
    access = _access(request)
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


@require_POST
def toggle(request: HttpRequest, ws: str, pk: int) -> HttpResponse:
    access = _access(request)
    rule = _rule(access, pk)
    services.set_enabled(access, rule, not rule.enabled)
    return redirect("moderation:rules", ws=ws)


@require_POST
def delete(request: HttpRequest, ws: str, pk: int) -> HttpResponse:
    access = _access(request)
    rule = _rule(access, pk)
    services.delete_rule(access, rule)
    messages.success(request, _("Rule deleted."))
    return redirect("moderation:rules", ws=ws)
