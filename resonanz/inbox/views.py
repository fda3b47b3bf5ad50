"""The inbox pages: thin views over selectors (reads) and services (writes)."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from resonanz.core.permissions import Access, Capability
from resonanz.inbox import selectors, services
from resonanz.inbox.models import (
    Conversation,
    ConversationKind,
    Direction,
    Event,
    Message,
    Priority,
    SavedView,
    State,
    Tag,
    Visibility,
)
from resonanz.moderation.models import RuleHit
from resonanz.people.models import Contact

SSE_MAX_SECONDS = 25
SSE_POLL_SECONDS = 0.4


def _access(request: HttpRequest) -> Access:
    return request.access  # type: ignore[attr-defined,no-any-return]


def _bad_request(message: str) -> HttpResponse:
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def _filters(request: HttpRequest) -> selectors.InboxFilter:
    return selectors.InboxFilter.from_params(request.GET)


def _list_context(request: HttpRequest, access: Access) -> dict[str, Any]:
    filters = _filters(request)
    page = selectors.list_conversations(
        access.workspace, filters, user_id=access.user_id, cursor=request.GET.get("cursor") or None
    )
    params = filters.as_params()
    return {
        "filters": filters,
        "filter_params": params,
        # An empty list is "inbox zero" only when nothing narrows it (the order does not).
        "filtered": bool(set(params) - {"sort"}),
        "now": timezone.now(),
        "page": page,
        "states": State.choices,
        "priorities": Priority.choices,
        "kinds": ConversationKind.choices,
        "sentiments": selectors.SENTIMENTS,
        "intents": selectors.INTENTS,
        "channels": access.workspace.channels.all(),
        "tags": Tag.objects.filter(workspace=access.workspace),
        "members": get_user_model().objects.filter(memberships__workspace=access.workspace),
        "saved_views": SavedView.objects.filter(workspace=access.workspace).filter(
            user_id__in=[access.user_id]
        )
        | SavedView.objects.filter(workspace=access.workspace, user__isnull=True),
        "last_event_id": Event.objects.filter(workspace=access.workspace)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
        or 0,
    }


def _render_list(request: HttpRequest, template: str) -> HttpResponse:
    try:
        context = _list_context(request, _access(request))
    except selectors.InvalidFilter as exc:
        return _bad_request(str(exc))
    return render(request, template, context)


@require_GET
def inbox(request: HttpRequest, ws: str) -> HttpResponse:
    return _render_list(request, "inbox/inbox.html")


@require_GET
def rows(request: HttpRequest, ws: str) -> HttpResponse:
    return _render_list(request, "inbox/_rows.html")


def _conversation_context(request: HttpRequest, access: Access, pk: int) -> dict[str, Any]:
    conv = selectors.get_conversation(access.workspace, pk)
    services.mark_read(access.person_id, conv)
    services.touch_presence(access.person_id, conv, typing=False)
    contact_history: list[Conversation] = []
    if conv.contact_id:
        contact_history = list(
            Conversation.objects.filter(workspace=access.workspace, contact_id=conv.contact_id)
            .exclude(pk=conv.pk)
            .select_related("channel")
            .order_by("-last_message_at")[:10]
        )
    return {
        "conversation": conv,
        "now": timezone.now(),
        "thread_messages": _with_rule_hits(conv, selectors.conversation_messages(conv)),
        "public_context": selectors.public_context(conv),
        "contact_history": contact_history,
        "others": services.others_present(access.person_id, conv),
        "members": get_user_model().objects.filter(memberships__workspace=access.workspace),
        "states": State.choices,
        "priorities": Priority.choices,
        "tag_names": list(conv.tags.values_list("name", flat=True)),
        "all_tags": Tag.objects.filter(workspace=access.workspace),
        "has_held": conv.messages.filter(
            direction=Direction.INBOUND, visibility=Visibility.HELD
        ).exists(),
        "intent_choices": [(i, _(i)) for i in selectors.INTENTS],
        "sentiment_choices": [(s, _(s)) for s in selectors.SENTIMENTS],
        "can_reply": access.can(Capability.REPLY),
        "can_triage": access.can(Capability.TRIAGE),
        "can_moderate": access.can(Capability.MODERATE),
    }


def _with_rule_hits(
    conv: Conversation, messages: Iterable[Message]
) -> list[tuple[Message, list[RuleHit]]]:
    """Each message with the moderation rules that acted on it, so nobody wonders why."""
    hits: dict[int, list[RuleHit]] = defaultdict(list)
    for hit in RuleHit.objects.filter(conversation=conv).select_related("rule").order_by("id"):
        hits[hit.message_id].append(hit)
    return [(message, hits.get(message.pk, [])) for message in messages]


@require_GET
def conversation(request: HttpRequest, ws: str, pk: int) -> HttpResponse:
    access = _access(request)
    context = _conversation_context(request, access, pk)
    try:
        context.update(_list_context(request, access))
    except selectors.InvalidFilter as exc:
        return _bad_request(str(exc))
    return render(request, "inbox/inbox.html", context)


@require_GET
def conversation_panel(request: HttpRequest, ws: str, pk: int) -> HttpResponse:
    access = _access(request)
    return render(request, "inbox/_conversation.html", _conversation_context(request, access, pk))


def _panel_response(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    if request.headers.get("HX-Request"):
        return render(
            request, "inbox/_conversation.html", _conversation_context(request, access, pk)
        )
    return redirect("inbox:conversation", ws=access.workspace.slug, pk=pk)


def _compose(
    request: HttpRequest, pk: int, write: Callable[[Access, Conversation, str], Message]
) -> HttpResponse:
    access = _access(request)
    conv = selectors.get_conversation(access.workspace, pk)
    try:
        write(access, conv, request.POST.get("text", ""))
    except services.InvalidChange as exc:
        return _bad_request(str(exc))
    return _panel_response(request, access, pk)


@require_POST
def reply(request: HttpRequest, ws: str, pk: int) -> HttpResponse:
    return _compose(request, pk, services.post_reply)


@require_POST
def note(request: HttpRequest, ws: str, pk: int) -> HttpResponse:
    return _compose(request, pk, services.add_note)


@require_POST
def update(request: HttpRequest, ws: str, pk: int) -> HttpResponse:
    access = _access(request)
    conv = selectors.get_conversation(access.workspace, pk)
    post = request.POST
    kwargs: dict[str, Any] = {}
    if post.get("state"):
        kwargs["state"] = post["state"]
    if post.get("priority", "") != "":
        try:
            kwargs["priority"] = int(post["priority"])
        except ValueError:
            return _bad_request("priority must be a number 0-3.")
    if "assignee" in post:
        value = post["assignee"]
        kwargs["assignee_id"] = (
            None if value in ("", "none") else (access.user_id if value == "me" else value)
        )
    if post.get("add_tag"):
        kwargs["add_tags"] = [post["add_tag"]]
    if post.get("remove_tag"):
        kwargs["remove_tags"] = [post["remove_tag"]]
    try:
        services.update_conversation(access, conv, **kwargs)
    except services.InvalidChange as exc:
        return _bad_request(str(exc))
    return _panel_response(request, access, pk)


@require_POST
def publish(request: HttpRequest, ws: str, pk: int) -> HttpResponse:
    access = _access(request)
    conv = selectors.get_conversation(access.workspace, pk)
    services.publish_held(access, conv)
    return _panel_response(request, access, pk)


@require_POST
def relabel(request: HttpRequest, ws: str, pk: int, message_id: int) -> HttpResponse:
    """Correct a triage label of one message (it becomes a labelled example)."""
    from resonanz.triage.services import InvalidLabel, correct_label

    access = _access(request)
    conv = selectors.get_conversation(access.workspace, pk)
    message = Message.objects.filter(conversation=conv, pk=message_id).first()
    if message is None:
        raise Http404("No such message.")
    try:
        correct_label(access, message, request.POST.get("task", ""), request.POST.get("label", ""))
    except InvalidLabel as exc:
        return _bad_request(str(exc))
    return _panel_response(request, access, pk)


@require_POST
def presence(request: HttpRequest, ws: str, pk: int) -> HttpResponse:
    access = _access(request)
    conv = selectors.get_conversation(access.workspace, pk)
    services.touch_presence(access.person_id, conv, typing=request.POST.get("typing") == "1")
    return render(
        request, "inbox/_presence.html", {"others": services.others_present(access.person_id, conv)}
    )


@require_POST
def bulk(request: HttpRequest, ws: str) -> HttpResponse:
    access = _access(request)
    ids = request.POST.getlist("ids")
    if not ids or not all(i.isdigit() for i in ids):
        return _bad_request("Select at least one conversation.")
    # "assign:7" and "priority:3" carry their value; "tag" takes the text field's.
    action, _sep, value = request.POST.get("action", "").partition(":")
    try:
        services.bulk_update(
            access, [int(i) for i in ids], action, value or request.POST.get("value", "")
        )
    except services.InvalidChange as exc:
        return _bad_request(str(exc))
    if request.headers.get("HX-Request"):
        return rows(request, ws)
    return redirect(reverse("inbox:list", kwargs={"ws": ws}) + "?" + request.GET.urlencode())


@require_POST
def save_view(request: HttpRequest, ws: str) -> HttpResponse:
    access = _access(request)
    name = request.POST.get("name", "").strip()[:80]
    if not name:
        return _bad_request("A saved view needs a name.")
    try:
        filters = selectors.InboxFilter.from_params(request.POST)
    except selectors.InvalidFilter as exc:
        return _bad_request(str(exc))
    shared = request.POST.get("shared") == "1" and access.can(Capability.MANAGE)
    SavedView.objects.create(
        workspace=access.workspace,
        user_id=None if shared else access.user_id,
        name=name,
        params=filters.as_params(),
    )
    return redirect(
        reverse("inbox:list", kwargs={"ws": ws}) + "?" + _urlencode(filters.as_params())
    )


def _urlencode(params: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


@require_POST
def delete_view(request: HttpRequest, ws: str, pk: int) -> HttpResponse:
    access = _access(request)
    view = SavedView.objects.filter(workspace=access.workspace, pk=pk).first()
    if view is None or (view.user_id not in (None, access.user_id)):
        raise Http404("No such view.")
    if view.user_id is None:
        access.require(Capability.MANAGE)
    view.delete()
    return redirect("inbox:list", ws=ws)


@require_GET
def events(request: HttpRequest, ws: str) -> HttpResponseBase:
    """Server-sent events: what changed in this workspace, read from the shared event table.

    Any web process can serve any client. The stream ends after a short while and the
    browser reconnects with Last-Event-ID, so no connection is held for long.
    """
    access = _access(request)
    try:
        after = int(request.headers.get("Last-Event-ID") or request.GET.get("after") or 0)
    except ValueError:
        return _bad_request("after must be an event id.")
    workspace_id = access.workspace.pk
    max_seconds = (
        float(request.GET.get("max", SSE_MAX_SECONDS)) if settings.DEBUG else SSE_MAX_SECONDS
    )

    def stream() -> Iterator[str]:
        last = after
        deadline = time.monotonic() + max_seconds
        quiet_since = time.monotonic()
        yield "retry: 500\n\n"
        # Django closes the connection when the response finishes (request_finished).
        while time.monotonic() < deadline:
            batch = list(
                Event.objects.filter(workspace_id=workspace_id, id__gt=last)
                .order_by("id")
                .values("id", "kind", "conversation_id")[:200]
            )
            for event in batch:
                last = event["id"]
                data = json.dumps({"kind": event["kind"], "conversation": event["conversation_id"]})
                yield f"id: {last}\nevent: change\ndata: {data}\n\n"
            if batch:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since > 10:
                quiet_since = time.monotonic()
                yield ": keepalive\n\n"
            time.sleep(SSE_POLL_SECONDS)

    response = StreamingHttpResponse(stream(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


@require_GET
def contact(request: HttpRequest, ws: str, pk: int) -> HttpResponse:
    access = _access(request)
    person = Contact.objects.filter(workspace=access.workspace, pk=pk).first()
    if person is None:
        raise Http404("No such contact.")
    return render(
        request,
        "inbox/contact.html",
        {
            "contact": person,
            "identities": person.identities.select_related("channel"),
            "conversations": Conversation.objects.filter(workspace=access.workspace, contact=person)
            .select_related("channel")
            .order_by("-last_message_at")[:50],
            "recent_messages": Message.objects.filter(
                workspace=access.workspace, author_contact=person
            ).order_by("-created_at")[:20],
        },
    )
