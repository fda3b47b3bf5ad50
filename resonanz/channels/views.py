"""Workspace settings: channels, file import, members, API tokens, audit log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from resonanz.accounts.models import ApiToken
from resonanz.accounts.services import (
    TokenError,
    change_role,
    create_token,
    invite,
    revoke_token,
)
from resonanz.channels import deliveries
from resonanz.channels.fileimport import FIELDS, ImportFileError, import_bytes
from resonanz.channels.models import Channel, ChannelKind
from resonanz.channels.services import (
    ChannelError,
    create_channel,
    update_channel_config,
    update_workspace,
)
from resonanz.core import audit
from resonanz.core.forms import posted, status_of
from resonanz.core.models import AuditLog, Membership, Role
from resonanz.core.permissions import ROLE_ORDER, Access, Capability


def _access(request: HttpRequest) -> Access:
    return request.access  # type: ignore[attr-defined,no-any-return]


def channels(request: HttpRequest, ws: str) -> HttpResponse:
    access = _access(request)
    error = ""
    if request.method == "POST":
        try:
            channel = create_channel(
                access,
                kind=request.POST.get("kind", ""),
                name=request.POST.get("name", ""),
                slug=request.POST.get("slug", ""),
            )
        except ChannelError as exc:
            error = str(exc)
        else:
            return redirect("settings:channel", ws=ws, slug=channel.slug)
    return render(
        request,
        "settings/channels.html",
        {
            "channel_list": access.workspace.channels.all(),
            "can_manage": access.can(Capability.MANAGE),
            "kinds": ChannelKind.choices,
            "error": error,
        },
        status=400 if error else 200,
    )


class WebhookSettingsForm(forms.Form):
    reply_url = forms.URLField(
        label=gettext_lazy("Reply URL"),
        required=False,
        assume_scheme="https",
        help_text=gettext_lazy(
            "Replies are POSTed here, signed like incoming webhooks. Leave empty to "
            "keep replies in Resonanz (readable through the API)."
        ),
    )


class WorkspaceForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    timezone = forms.CharField(label=gettext_lazy("Time zone"), max_length=64)
    languages = forms.CharField(
        label=gettext_lazy("Languages"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("ISO codes of the languages your community writes, e.g. de, en"),
    )


def workspace_settings(request: HttpRequest, ws: str) -> HttpResponse:
    access = _access(request)
    access.require(Capability.OWN)
    workspace = access.workspace
    form = WorkspaceForm(
        posted(request),
        initial={
            "name": workspace.name,
            "timezone": workspace.timezone,
            "languages": ", ".join(workspace.languages),
        },
    )
    if request.method == "POST" and form.is_valid():
        languages = [
            c.strip().lower() for c in form.cleaned_data["languages"].split(",") if c.strip()
        ]
        try:
            update_workspace(
                access,
                name=form.cleaned_data["name"],
                timezone=form.cleaned_data["timezone"].strip(),
                languages=languages[:12],
            )
        except ChannelError as exc:
            form.add_error("timezone", str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("settings:workspace", ws=ws)
    return render(request, "settings/workspace.html", {"form": form}, status=status_of(form))


class WidgetSettingsForm(forms.Form):
    allowed_origins = forms.CharField(
        label=gettext_lazy("Allowed origins"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One origin per line, e.g. https://www.example.com"),
    )
    premoderation = forms.BooleanField(
        label=gettext_lazy("Pre-moderation (comments wait for approval)"), required=False
    )
    max_length = forms.IntegerField(
        label=gettext_lazy("Maximum length"), min_value=50, max_value=20_000
    )


def channel_detail(request: HttpRequest, ws: str, slug: str) -> HttpResponse:
    access = _access(request)
    access.require(Capability.MANAGE)
    channel = Channel.objects.filter(workspace=access.workspace, slug=slug).first()
    if channel is None:
        raise Http404("No such channel.")
    form: forms.Form | None = None
    if channel.kind == ChannelKind.WIDGET:
        form = WidgetSettingsForm(
            posted(request),
            initial={
                "allowed_origins": "\n".join(channel.config.get("allowed_origins", [])),
                "premoderation": channel.config.get("premoderation", False),
                "max_length": channel.config.get("max_length", 3000),
            },
        )
    elif channel.kind == ChannelKind.WEBHOOK:
        form = WebhookSettingsForm(
            posted(request), initial={"reply_url": channel.config.get("reply_url", "")}
        )
    takes_deliveries = channel.kind in (ChannelKind.WEBHOOK, ChannelKind.WIDGET)
    if takes_deliveries and request.POST.get("action") == "retry":
        count = deliveries.retry_failed(access, channel)
        messages.success(
            request,
            ngettext(
                "%(count)d delivery queued again.", "%(count)d deliveries queued again.", count
            )
            % {"count": count},
        )
        return redirect("settings:channel", ws=ws, slug=slug)
    if form is not None and request.method == "POST" and form.is_valid():
        changes = dict(form.cleaned_data)
        if "allowed_origins" in changes:
            changes["allowed_origins"] = [
                o.strip().rstrip("/") for o in changes["allowed_origins"].splitlines() if o.strip()
            ]
        update_channel_config(access, channel, changes)
        messages.success(request, _("Saved."))
        return redirect("settings:channel", ws=ws, slug=slug)
    return render(
        request,
        "settings/channel.html",
        {
            "channel": channel,
            "form": form,
            "public_url": settings.PUBLIC_URL,
            "is_owner": access.can(Capability.OWN),
            "deliveries": deliveries.summary(channel) if takes_deliveries else None,
        },
        status=status_of(form),
    )


def import_file(request: HttpRequest, ws: str) -> HttpResponse:
    access = _access(request)
    access.require(Capability.MANAGE)
    context: dict[str, Any] = {
        "channel_list": access.workspace.channels.all(),
        "fields": FIELDS,
        "max_mb": settings.MAX_IMPORT_BODY_BYTES // (1024 * 1024),
    }
    if request.method == "POST":
        upload = request.FILES.get("file")
        channel = Channel.objects.filter(
            workspace=access.workspace, slug=request.POST.get("channel", "")
        ).first()
        mapping = {f: request.POST.get(f"map_{f}", "").strip() for f in FIELDS}
        if upload is None:
            context["error"] = _("Choose a file to import.")
        elif channel is None:
            context["error"] = _("Choose a channel of this workspace.")
        else:
            try:
                report = import_bytes(
                    channel,
                    upload.read(),
                    name=upload.name or "upload.csv",
                    mapping=mapping,
                    dry_run=request.POST.get("dry_run") == "1",
                )
            except ImportFileError as exc:
                context["error"] = str(exc)
            else:
                if not report.errors or report.imported:
                    audit.record(
                        workspace=access.workspace,
                        actor_id=access.user_id,
                        action="import.dry_run"
                        if request.POST.get("dry_run") == "1"
                        else "import.run",
                        object_type="channel",
                        object_id=channel.pk,
                        after={
                            "imported": report.imported,
                            "duplicates": report.duplicates,
                            "bad_lines": len(report.errors),
                            "file": upload.name,
                        },
                    )
                context["report"] = report
                context["dry_run"] = request.POST.get("dry_run") == "1"
        status = 400 if "error" in context else 200
        return render(request, "settings/import.html", context, status=status)
    return render(request, "settings/import.html", context)


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email"))
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices, initial=Role.AGENT)


def members(request: HttpRequest, ws: str) -> HttpResponse:
    access = _access(request)
    form = InviteForm(posted(request))
    if request.method == "POST":
        access.require(Capability.MANAGE)
        if "change_role" in request.POST:
            return _change_role(request, access)
        if form.is_valid():
            try:
                _invitation, link = invite(
                    access, email=form.cleaned_data["email"], role=form.cleaned_data["role"]
                )
            except TokenError as exc:
                form.add_error("role", str(exc))
            else:
                messages.success(request, _("Invitation sent. Link: %(link)s") % {"link": link})
                return redirect("settings:members", ws=ws)
    return render(
        request,
        "settings/members.html",
        {
            "memberships": access.workspace.memberships.select_related("user").order_by(
                "user__email"
            ),
            "invitations": access.workspace.invitations.filter(accepted_at__isnull=True),
            "form": form,
            "roles": Role.choices,
            "can_manage": access.can(Capability.MANAGE),
        },
        status=status_of(form),
    )


def _change_role(request: HttpRequest, access: Access) -> HttpResponse:
    membership = Membership.objects.filter(
        workspace=access.workspace, pk=request.POST.get("membership", "0") or 0
    ).first()
    if membership is None:
        raise Http404("No such member.")
    try:
        change_role(access, membership, request.POST.get("role", ""))
    except TokenError as exc:
        messages.error(request, str(exc))
    return redirect("settings:members", ws=access.workspace.slug)


def tokens(request: HttpRequest, ws: str) -> HttpResponse:
    access = _access(request)
    new_token = None
    if request.method == "POST":
        if request.POST.get("revoke"):
            try:
                revoke_token(access, int(request.POST["revoke"]))
            except (TokenError, ValueError):
                raise Http404("No such token.") from None
            return redirect("settings:tokens", ws=ws)
        try:
            _token, new_token = create_token(
                access,
                name=request.POST.get("name", "").strip() or "token",
                role=request.POST.get("role") or None,
            )
        except TokenError as exc:
            messages.error(request, str(exc))
    return render(
        request,
        "settings/tokens.html",
        {
            "token_list": ApiToken.objects.filter(
                workspace=access.workspace, user_id=access.person_id, revoked_at__isnull=True
            ),
            "new_token": new_token,
            "roles": [
                r
                for r in Role.choices
                if ROLE_ORDER.index(Role(r[0])) >= ROLE_ORDER.index(Role(access.role))
            ],
        },
    )


def audit_log(request: HttpRequest, ws: str) -> HttpResponse:
    access = _access(request)
    access.require(Capability.MANAGE)
    entries = AuditLog.objects.filter(workspace=access.workspace).select_related("actor")
    before_id = request.GET.get("before", "")
    if before_id.isdigit():
        entries = entries.filter(pk__lt=int(before_id))
    page = list(entries.order_by("-id")[:100])
    return render(
        request,
        "settings/audit.html",
        {"entries": page, "next_before": page[-1].pk if len(page) == 100 else None},
    )
