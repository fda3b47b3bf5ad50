"""REST endpoints for an ordered setting (moderation rules, SLA policies): list, create,
read, change, delete; validated by the same form as its page.

(No ``from __future__ import annotations`` here: django-ninja reads the endpoints'
annotations, and they name the schemas this factory is given.)
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.forms.models import model_to_dict
from django.http import HttpRequest
from ninja import Router, Schema, Status

from resonanz.api.common import ErrorOut, InvalidOut, token_access
from resonanz.core.ordered import OrderedSettings
from resonanz.core.permissions import Access, Capability


def form_errors(form: forms.BaseForm) -> list[dict[str, str]]:
    return [
        {"field": field if field != "__all__" else "", "message": " ".join(map(str, messages))}
        for field, messages in form.errors.items()
    ]


def ordered_settings_router(
    *,
    path: str,
    noun: str,
    tag: str,
    settings: OrderedSettings[Any],
    form_class: type[forms.ModelForm],
    form_fields: list[str],
    schema_in: type[Schema],
    schema_out: type[Schema],
    to_out: Callable[[Any], dict[str, Any]],
    list_fields: tuple[str, ...] = (),
) -> Router:
    """A router with the five endpoints of one kind of setting under ``path``.

    On PATCH only the fields sent change; JSON null clears a condition or action. Fields in
    ``list_fields`` are lists in JSON and lines in the form (a rule's words).
    """
    router = Router(tags=[tag])

    def save(access: Access, payload: Schema, obj: Any) -> Status[dict[str, Any]]:
        access.require(Capability.MANAGE)
        data: dict[str, Any] = model_to_dict(obj or settings.model(), fields=form_fields)
        for name, value in payload.model_dump(exclude_unset=True).items():
            key = name.removesuffix("_id")
            data[key] = "\n".join(value) if name in list_fields and value else value
        data = {key: "" if value is None else value for key, value in data.items()}
        form = form_class(data, instance=obj, workspace=access.workspace)  # type: ignore[call-arg]
        if not form.is_valid():
            return Status(400, {"error": f"Invalid {noun}.", "fields": form_errors(form)})
        saved = settings.save(access, form.save(commit=False))
        return Status(200 if obj else 201, to_out(saved))

    def list_all(request: HttpRequest) -> list[dict[str, Any]]:
        access = token_access(request)
        return [to_out(obj) for obj in settings.model.objects.filter(workspace=access.workspace)]

    def create(request: HttpRequest, payload: schema_in) -> Status[dict[str, Any]]:  # type: ignore[valid-type]
        return save(token_access(request), payload, None)

    def read(request: HttpRequest, pk: int) -> dict[str, Any]:
        return to_out(settings.get(token_access(request), pk))

    def change(request: HttpRequest, pk: int, payload: schema_in) -> Status[dict[str, Any]]:  # type: ignore[valid-type]
        access = token_access(request)
        return save(access, payload, settings.get(access, pk))

    def delete(request: HttpRequest, pk: int) -> Status[None]:
        access = token_access(request)
        settings.delete(access, settings.get(access, pk))
        return Status(204, None)

    router.get(path, response=list[schema_out], summary=f"The workspace's {noun}s, in order")(  # type: ignore[valid-type]
        list_all
    )
    router.post(
        path,
        response={201: schema_out, 400: InvalidOut, 403: ErrorOut},
        summary=f"Create a {noun}",
    )(create)
    router.get(f"{path}/{{pk}}", response={200: schema_out, 404: ErrorOut})(read)
    router.patch(
        f"{path}/{{pk}}",
        response={200: schema_out, 400: InvalidOut, 403: ErrorOut, 404: ErrorOut},
        summary=f"Change a {noun} or switch it on or off",
    )(change)
    router.delete(f"{path}/{{pk}}", response={204: None, 403: ErrorOut, 404: ErrorOut})(delete)
    return router
