"""REST API v1 (django-ninja). Bearer tokens are personal, per workspace, capped by role.

The endpoints call the same selectors and services as the inbox pages.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from resonanz.accounts.services import authenticate_token
from resonanz.api.common import ErrorOut, token_access
from resonanz.core.permissions import Access, PermissionDeniedForRole
from resonanz.inbox import selectors, services
from resonanz.inbox.models import Conversation, Message
from resonanz.moderation.api import router as moderation_router
from resonanz.sla.api import router as sla_router


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Access | None:
        return authenticate_token(token)


api = NinjaAPI(
    title="Resonanz API",
    version="1",
    description="Conversations, messages and replies of one workspace. "
    "Authenticate with `Authorization: Bearer <token>` (create tokens in Settings → API tokens "
    "or with `resonanz token create`).",
    auth=TokenAuth(),
    urls_namespace="api-v1",
)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"error": str(exc) or "Not found."}, status=404)


@api.exception_handler(PermissionDeniedForRole)
def forbidden(request: HttpRequest, exc: PermissionDeniedForRole) -> HttpResponse:
    return api.create_response(request, {"error": str(exc)}, status=403)


@api.exception_handler(services.InvalidChange)
def invalid_change(request: HttpRequest, exc: services.InvalidChange) -> HttpResponse:
    return api.create_response(request, {"error": str(exc)}, status=400)


@api.exception_handler(selectors.InvalidFilter)
def invalid_filter(request: HttpRequest, exc: selectors.InvalidFilter) -> HttpResponse:
    return api.create_response(request, {"error": str(exc)}, status=400)


@api.exception_handler(NinjaValidationError)
def invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields = [
        {
            "field": ".".join(str(p) for p in e.get("loc", []) if p not in ("body", "payload")),
            "message": e.get("msg", ""),
        }
        for e in exc.errors
    ]
    return api.create_response(request, {"error": "Invalid input.", "fields": fields}, status=400)


class ContactOut(Schema):
    id: int
    name: str
    email: str


class ConversationOut(Schema):
    id: int
    channel: str
    kind: str
    state: str
    priority: int
    assignee_id: int | None
    tags: list[str]
    language: str
    sentiment: str
    intent: str
    spam: bool
    offensive: bool
    preview: str
    message_count: int
    created_at: datetime
    last_message_at: datetime
    waiting_since: datetime | None
    # When an answer is due under the SLA policy of the current wait, if one applies.
    answer_due_at: datetime | None
    contact: ContactOut | None
    thread_url: str

    @staticmethod
    def of(conv: Conversation) -> dict[str, Any]:
        return {
            "id": conv.pk,
            "channel": conv.channel.slug,
            "kind": conv.kind,
            "state": conv.state,
            "priority": conv.priority,
            "assignee_id": conv.assignee_id,
            "tags": sorted(t.name for t in conv.tags.all()),
            "language": conv.language,
            "sentiment": conv.sentiment,
            "intent": conv.intent,
            "spam": conv.spam,
            "offensive": conv.offensive,
            "preview": conv.preview,
            "message_count": conv.message_count,
            "created_at": conv.created_at,
            "last_message_at": conv.last_message_at,
            "waiting_since": conv.waiting_since,
            "answer_due_at": conv.sla_due_at if conv.waiting_since else None,
            "contact": {
                "id": conv.contact.pk,
                "name": conv.contact.display_name,
                "email": conv.contact.email,
            }
            if conv.contact
            else None,
            "thread_url": conv.thread.url if conv.thread_id and conv.thread else "",
        }


class ConversationPageOut(Schema):
    items: list[ConversationOut]
    next_cursor: str | None


class MessageOut(Schema):
    id: int
    direction: str
    visibility: str
    author: str
    body: str
    body_html: str
    created_at: datetime
    language: str
    sentiment: str
    intent: str
    spam: bool
    offensive: bool
    reactions: int | None
    delivery: str | None

    @staticmethod
    def of(message: Message) -> dict[str, Any]:
        delivery = None
        if message.direction == "outbound":
            item = getattr(message, "outbox_item", None)
            delivery = item.status if item else None
        return {
            "id": message.pk,
            "direction": message.direction,
            "visibility": message.visibility,
            "author": message.author_name,
            "body": message.body,
            "body_html": message.body_html,
            "created_at": message.created_at,
            "language": message.language,
            "sentiment": message.sentiment,
            "intent": message.intent,
            "spam": message.spam,
            "offensive": message.offensive,
            "reactions": message.reactions,
            "delivery": delivery,
        }


class MeOut(Schema):
    user_id: int
    workspace: str
    role: str


@api.get("/me", response=MeOut, summary="Who this token acts as")
def me(request: HttpRequest) -> dict[str, Any]:
    access = token_access(request)
    return {"user_id": access.user_id, "workspace": access.workspace.slug, "role": access.role}


@api.get(
    "/conversations",
    response={200: ConversationPageOut, 400: ErrorOut},
    summary="List and search conversations",
    description="Filters: state (comma-separated or 'all'), channel, tag, assignee (me|none|id), "
    "priority, language, kind, since/until (dates), q (full-text), sort (waiting|recent), "
    "sentiment (positive|neutral|negative), intent (question|complaint|praise|feedback|lead|"
    "other), flag (spam|offensive|clean). "
    "Pass next_cursor as cursor for the next page.",
)
def list_conversations(request: HttpRequest, cursor: str = "", limit: int = 50) -> dict[str, Any]:
    access = token_access(request)
    filters = selectors.InboxFilter.from_params(request.GET)
    page = selectors.list_conversations(
        access.workspace,
        filters,
        user_id=access.user_id,
        cursor=cursor or None,
        page_size=max(1, min(limit, 200)),
    )
    return {
        "items": [ConversationOut.of(c) for c in page.conversations],
        "next_cursor": page.next_cursor,
    }


@api.get("/conversations/{conversation_id}", response={200: ConversationOut, 404: ErrorOut})
def get_conversation(request: HttpRequest, conversation_id: int) -> dict[str, Any]:
    conv = selectors.get_conversation(token_access(request).workspace, conversation_id)
    return ConversationOut.of(conv)


@api.get(
    "/conversations/{conversation_id}/messages", response={200: list[MessageOut], 404: ErrorOut}
)
def list_messages(request: HttpRequest, conversation_id: int) -> list[dict[str, Any]]:
    conv = selectors.get_conversation(token_access(request).workspace, conversation_id)
    return [
        MessageOut.of(m)
        for m in selectors.conversation_messages(conv).select_related("outbox_item")
    ]


class ReplyIn(Schema):
    text: str


@api.post(
    "/conversations/{conversation_id}/replies",
    response={201: MessageOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Answer the contact (delivered through the outbox)",
)
def post_reply(
    request: HttpRequest, conversation_id: int, payload: ReplyIn
) -> Status[dict[str, Any]]:
    return _write(request, conversation_id, payload.text, services.post_reply)


def _write(
    request: HttpRequest,
    conversation_id: int,
    text: str,
    write: Callable[[Access, Conversation, str], Message],
) -> Status[dict[str, Any]]:
    access = token_access(request)
    conv = selectors.get_conversation(access.workspace, conversation_id)
    return Status(201, MessageOut.of(write(access, conv, text)))


@api.post(
    "/conversations/{conversation_id}/notes",
    response={201: MessageOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Add an internal note (@name mentions a member)",
)
def post_note(
    request: HttpRequest, conversation_id: int, payload: ReplyIn
) -> Status[dict[str, Any]]:
    return _write(request, conversation_id, payload.text, services.add_note)


class ConversationPatch(Schema):
    state: str | None = None
    priority: int | None = None
    assignee_id: int | None = None
    unassign: bool = False
    add_tags: list[str] = []
    remove_tags: list[str] = []


@api.patch(
    "/conversations/{conversation_id}",
    response={200: ConversationOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Change state, priority, assignee and tags",
)
def patch_conversation(
    request: HttpRequest, conversation_id: int, payload: ConversationPatch
) -> dict[str, Any]:
    access = token_access(request)
    conv = selectors.get_conversation(access.workspace, conversation_id)
    assignee: int | None | str = "unchanged"
    if payload.unassign:
        assignee = None
    elif payload.assignee_id is not None:
        assignee = payload.assignee_id
    conv = services.update_conversation(
        access,
        conv,
        state=payload.state,
        priority=payload.priority,
        assignee_id=assignee,
        add_tags=payload.add_tags,
        remove_tags=payload.remove_tags,
    )
    return ConversationOut.of(selectors.get_conversation(access.workspace, conv.pk))


api.add_router("/moderation", moderation_router)
api.add_router("/sla", sla_router)
