"""Ordered, switchable settings of a workspace (moderation rules, SLA policies).

Managers create, change, switch on and off and delete them; every change is one audit
entry with before and after. :class:`OrderedSettings` holds those services for one model,
:class:`OrderedSettingsPages` the pages (list, edit, switch, delete) around its form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import models, transaction
from django.db.models import Max
from django.forms.models import model_to_dict
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from resonanz.core import audit
from resonanz.core.forms import posted, status_of
from resonanz.core.models import Workspace
from resonanz.core.permissions import Access, Capability


class OrderedSetting(models.Model):
    """What every ordered, switchable setting of a workspace has."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    enabled = models.BooleanField(_("enabled"), default=True)
    position = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


M = TypeVar("M", bound=OrderedSetting)


class OrderedSettings(Generic[M]):
    """Save, switch and delete one kind of setting, each change audited as ``kind``."""

    def __init__(self, model: type[M], kind: str, audited_fields: list[str]) -> None:
        self.model = model
        self.kind = kind
        self.audited_fields = audited_fields

    def _state(self, obj: M) -> dict[str, Any]:
        return model_to_dict(obj, fields=self.audited_fields)

    def _audit(
        self,
        access: Access,
        verb: str,
        obj: M,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        audit.record(
            workspace=access.workspace,
            actor_id=access.user_id,
            action=f"{self.kind}.{verb}",
            object_type=self.kind,
            object_id=obj.pk,
            before=before,
            after=after,
        )

    def get(self, access: Access, pk: int) -> M:
        """One of the workspace's settings; another workspace's id is as unknown as a
        made-up one."""
        obj = self.model._default_manager.filter(workspace=access.workspace, pk=pk).first()
        if obj is None:
            raise Http404("No such setting.")
        return obj

    def save(self, access: Access, obj: M) -> M:
        """Create or change one (validated by its form)."""
        access.require(Capability.MANAGE)
        if obj.workspace_id != access.workspace.pk:
            raise ValueError("A setting belongs to the workspace it is saved in.")
        with transaction.atomic():
            before: dict[str, Any] = {}
            if obj.pk is None:
                highest = self.model._default_manager.filter(workspace=access.workspace).aggregate(
                    Max("position")
                )
                obj.position = (highest["position__max"] or 0) + 1
                obj.created_by_id = access.user_id
            else:
                before = self._state(self.model._default_manager.select_for_update().get(pk=obj.pk))
            obj.updated_at = timezone.now()
            obj.save()
            self._audit(access, "save", obj, before=before, after=self._state(obj))
        return obj

    def set_enabled(self, access: Access, obj: M, enabled: bool) -> M:
        access.require(Capability.MANAGE)
        if obj.enabled != enabled:
            obj.enabled = enabled
            self.save(access, obj)
        return obj

    def move(self, access: Access, obj: M, step: int) -> M:
        """Swap places with the neighbour above (step -1) or below (step 1); the order is
        the order in which they apply."""
        access.require(Capability.MANAGE)
        with transaction.atomic():
            siblings = list(
                self.model._default_manager.select_for_update()
                .filter(workspace=access.workspace)
                .order_by("position", "id")
            )
            index = next(i for i, sibling in enumerate(siblings) if sibling.pk == obj.pk)
            other = index + step
            if not 0 <= other < len(siblings):
                return obj
            siblings[index], siblings[other] = siblings[other], siblings[index]
            for position, sibling in enumerate(siblings, 1):
                if sibling.position != position:
                    sibling.position = position
                    sibling.save(update_fields=["position"])
            self._audit(access, "move", obj, after={"order": [sibling.pk for sibling in siblings]})
        obj.refresh_from_db()
        return obj

    def delete(self, access: Access, obj: M) -> None:
        access.require(Capability.MANAGE)
        with transaction.atomic():
            self._audit(access, "delete", obj, before=self._state(obj))
            obj.delete()


class OrderedSettingsPages(Generic[M]):
    """The pages of one kind of setting: list, edit (new), switch on or off, delete.

    ``namespace`` is the URL namespace with the names ``list``, ``edit``; the templates get
    ``objects`` / ``form`` and ``obj``, ``can_manage``, plus what ``context`` adds.
    """

    def __init__(
        self,
        settings: OrderedSettings[M],
        form_class: type[forms.ModelForm],
        namespace: str,
        templates: tuple[str, str],
        saved: str | Promise,
        deleted: str | Promise,
        context: Callable[[Access, M | None], dict[str, Any]] = lambda access, obj: {},
    ) -> None:
        self.settings = settings
        self.form_class = form_class
        self.namespace = namespace
        self.list_template, self.edit_template = templates
        self.saved, self.deleted = saved, deleted
        self.context = context

    @staticmethod
    def _access(request: HttpRequest) -> Access:
        return request.access  # type: ignore[attr-defined,no-any-return]

    def index(self, request: HttpRequest, ws: str) -> HttpResponse:
        access = self._access(request)
        access.require(Capability.VIEW)
        return render(
            request,
            self.list_template,
            {
                "objects": self.settings.model._default_manager.filter(workspace=access.workspace),
                "can_manage": access.can(Capability.MANAGE),
                **self.context(access, None),
            },
        )

    def edit(self, request: HttpRequest, ws: str, pk: int | None = None) -> HttpResponse:
        access = self._access(request)
        access.require(Capability.VIEW)
        obj = self.settings.get(access, pk) if pk is not None else None
        if request.method == "POST":
            access.require(Capability.MANAGE)
        form = self.form_class(posted(request), instance=obj, workspace=access.workspace)  # type: ignore[call-arg]
        if request.method == "POST" and form.is_valid():
            self.settings.save(access, form.save(commit=False))
            messages.success(request, str(self.saved))
            return redirect(f"{self.namespace}:list", ws=ws)
        return render(
            request,
            self.edit_template,
            {
                "form": form,
                "obj": obj,
                "can_manage": access.can(Capability.MANAGE),
                **self.context(access, obj),
            },
            status=status_of(form),
        )

    def toggle(self, request: HttpRequest, ws: str, pk: int) -> HttpResponse:
        access = self._access(request)
        obj = self.settings.get(access, pk)
        self.settings.set_enabled(access, obj, not obj.enabled)
        return redirect(f"{self.namespace}:list", ws=ws)

    def move(self, request: HttpRequest, ws: str, pk: int) -> HttpResponse:
        access = self._access(request)
        step = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
        if step is None:
            return HttpResponseBadRequest("direction must be up or down.")
        self.settings.move(access, self.settings.get(access, pk), step)
        return redirect(f"{self.namespace}:list", ws=ws)

    def delete(self, request: HttpRequest, ws: str, pk: int) -> HttpResponse:
        access = self._access(request)
        self.settings.delete(access, self.settings.get(access, pk))
        messages.success(request, str(self.deleted))
        return redirect(f"{self.namespace}:list", ws=ws)

    def urls(self) -> list[Any]:
        from django.urls import path

        return [
            path("", self.index, name="list"),
            path("new/", self.edit, name="new"),
            path("<int:pk>/", self.edit, name="edit"),
            path("<int:pk>/toggle/", require_POST(self.toggle), name="toggle"),
            path("<int:pk>/move/", require_POST(self.move), name="move"),
            path("<int:pk>/delete/", require_POST(self.delete), name="delete"),
        ]
