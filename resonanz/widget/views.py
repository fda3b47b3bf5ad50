"""The widget's public endpoints: list a page's comments, post a comment or feedback.

Anti-spam without third parties: a honeypot field, a signed form token that proves the
form was open for a few seconds, rate limits per IP and per thread, and duplicate detection.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from resonanz.channels import deliveries
from resonanz.channels.ingest import InboundItem
from resonanz.channels.models import Channel, ChannelKind
from resonanz.channels.selectors import public_channel
from resonanz.channels.widget_config import WidgetConfig
from resonanz.core.ratelimit import client_ip, first_time, over_limits
from resonanz.core.text import clean_text
from resonanz.inbox.models import ConversationKind, Visibility
from resonanz.widget.publication import pending_for_visitor, thread_listing

FORM_SALT = "resonanz.widget.form"
FORM_MAX_AGE = 24 * 3600
MAX_KEY_LENGTH = 500
DUPLICATE_WINDOW = 24 * 3600
LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def _cors(response: HttpResponse, request: HttpRequest, config: WidgetConfig) -> HttpResponse:
    origin = request.headers.get("Origin", "")
    if origin and config.allows_origin(origin):
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Headers"] = "Content-Type, X-Resonanz-Visitor"
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response["Access-Control-Max-Age"] = "600"
        response["Vary"] = "Origin"
    return response


def _error(
    request: HttpRequest, config: WidgetConfig, message: str, status: int, **extra: Any
) -> HttpResponse:
    return _cors(JsonResponse({"error": message, **extra}, status=status), request, config)


def _origin_refused(request: HttpRequest, config: WidgetConfig) -> bool:
    origin = request.headers.get("Origin", "")
    return bool(origin) and not config.allows_origin(origin) and origin != _own_origin(request)


def _own_origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def hash_visitor(token: str) -> str:
    return hashlib.sha256(("visitor:" + token).encode()).hexdigest() if token else ""


WidgetView = Callable[[HttpRequest, Channel, WidgetConfig], HttpResponse]


def widget_endpoint(
    method: str,
) -> Callable[[WidgetView], Callable[[HttpRequest, str], HttpResponse]]:
    """Resolve the channel from its public key and answer CORS preflights, wrong methods
    and foreign origins the same way for every widget endpoint."""

    def decorate(view: WidgetView) -> Callable[[HttpRequest, str], HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def endpoint(request: HttpRequest, key: str) -> HttpResponse:
            channel = public_channel(key, ChannelKind.WIDGET)
            if channel is None:
                return JsonResponse({"error": "Unknown widget key."}, status=404)
            config = WidgetConfig.of(channel.config)
            if request.method == "OPTIONS":
                return _cors(HttpResponse(status=204), request, config)
            if request.method != method:
                return _error(request, config, f"Use {method}.", 405)
            if _origin_refused(request, config):
                return JsonResponse({"error": "This site may not embed the widget."}, status=403)
            # Visitors read the messages in the language of the page the widget is on (it
            # says so), else of their browser.
            language = request.GET.get("lang", "")
            if language not in LANGUAGE_CODES:
                language = translation.get_language_from_request(request)
            with translation.override(language):
                return view(request, channel, config)

        return endpoint

    return decorate


@widget_endpoint("GET")
def thread(request: HttpRequest, channel: Channel, config: WidgetConfig) -> HttpResponse:
    """The page's public listing: the same for every visitor, so browsers (and a caching
    proxy) revalidate it with its ETag and get a 304 while nothing changed."""
    thread_key = request.GET.get("thread", "")[:MAX_KEY_LENGTH]
    if not thread_key:
        return _error(request, config, "The thread parameter is missing.", 400)
    listing = thread_listing(channel, config, thread_key)
    if listing.etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(listing.body, content_type="application/json; charset=utf-8")
    response["ETag"] = listing.etag
    response["Cache-Control"] = "no-cache"
    return _cors(response, request, config)


@widget_endpoint("GET")
def form(request: HttpRequest, channel: Channel, config: WidgetConfig) -> HttpResponse:
    """A signed form token, fetched when a visitor starts writing: posting earlier than
    ``min_seconds_on_form`` after it is refused as bot-like."""
    response = JsonResponse({"form_token": signing.dumps(time.time(), salt=FORM_SALT)})
    response["Cache-Control"] = "no-store"
    return _cors(response, request, config)


@widget_endpoint("GET")
def pending(request: HttpRequest, channel: Channel, config: WidgetConfig) -> HttpResponse:
    """The visitor's own comments on a page that still wait for moderation."""
    thread_key = request.GET.get("thread", "")[:MAX_KEY_LENGTH]
    visitor = request.headers.get("X-Resonanz-Visitor", "")[:100]
    if not thread_key or not visitor:
        return _error(request, config, "thread and X-Resonanz-Visitor are required.", 400)
    response = JsonResponse(
        {"pending": pending_for_visitor(channel, thread_key, hash_visitor(visitor))}
    )
    response["Cache-Control"] = "no-store"
    return _cors(response, request, config)


@widget_endpoint("POST")
def post_comment(request: HttpRequest, channel: Channel, config: WidgetConfig) -> HttpResponse:
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _error(request, config, "The body must be UTF-8 JSON.", 400)
    if not isinstance(data, dict):
        return _error(request, config, "The body must be a JSON object.", 400)

    def field(name: str, limit: int) -> str:
        value = data.get(name, "")
        return clean_text(value, limit) if isinstance(value, str) else ""

    if field("website", 200):
        # Honeypot: a field people never see. Answer like a success so bots learn nothing.
        return _cors(JsonResponse({"status": "pending"}, status=202), request, config)
    try:
        started = float(
            signing.loads(str(data.get("form_token", "")), salt=FORM_SALT, max_age=FORM_MAX_AGE)
        )
    except (signing.BadSignature, TypeError, ValueError):
        return _error(
            request,
            config,
            _("The form has expired; reload the page and try again."),
            400,
            field="form_token",
        )
    if time.time() - started < config.min_seconds_on_form:
        return _error(
            request,
            config,
            _("That was quick: please take a moment and send again."),
            429,
            field="form_token",
        )
    raw_text = data.get("text", "")
    if not isinstance(raw_text, str) or not raw_text.strip():
        return _error(request, config, _("Please write a comment."), 400, field="text")
    if len(raw_text.strip()) > config.max_length:
        return _error(
            request,
            config,
            _("Comments can be at most %(n)d characters long.") % {"n": config.max_length},
            400,
            field="text",
        )
    text = clean_text(raw_text, config.max_length)
    kind = data.get("kind", "comment")
    if kind not in ("comment", "feedback"):
        return _error(request, config, "kind must be comment or feedback.", 400, field="kind")
    name = field("name", 80)
    if kind == "comment" and not name:
        return _error(request, config, _("Please give a name."), 400, field="name")
    email = field("email", 254)
    if email and ("@" not in email or " " in email):
        return _error(
            request, config, _("That email address does not look right."), 400, field="email"
        )
    thread_key = field("thread", MAX_KEY_LENGTH)
    if not thread_key:
        return _error(request, config, "The thread is missing.", 400, field="thread")

    ip = client_ip(request)
    thread_hash = hashlib.sha256(thread_key.encode()).hexdigest()
    fingerprint = hashlib.sha256(
        f"{channel.pk}|{thread_key}|{' '.join(text.lower().split())}".encode()
    ).hexdigest()
    visitor_hash = hash_visitor(field("visitor", 100))
    author_id = (
        visitor_hash or "anon-" + hashlib.sha256(f"{ip}|{name}|{email}".encode()).hexdigest()[:32]
    )
    if kind == "feedback":
        visibility = Visibility.PRIVATE
    else:
        visibility = Visibility.HELD if config.premoderation else Visibility.PUBLISHED
    item = InboundItem(
        external_id=f"w-{uuid.uuid4()}",
        text=text,
        author_id=author_id,
        author_name=name or (email.split("@")[0] if email else ""),
        author_email=email,
        kind=ConversationKind.FEEDBACK if kind == "feedback" else ConversationKind.COMMENT,
        thread_key=thread_key,
        thread_url=field("url", 1000)
        if field("url", 1000).startswith(("http://", "https://"))
        else "",
        thread_title=field("title", 300),
        visibility=visibility,
        visitor_token_hash=visitor_hash,
    )
    # Both rate limits count in one short statement of their own: inside the comment's
    # transaction their row locks would queue every post from one network or on one page
    # behind the last.
    ip_limit, page_limit = f"w:ip:{channel.pk}:{ip}", f"w:thread:{channel.pk}:{thread_hash}"
    exceeded = over_limits(
        {ip_limit: config.rate_per_ip_per_minute, page_limit: config.rate_per_thread_per_minute}
    )
    if ip_limit in exceeded:
        return _error(
            request, config, _("Too many comments from your network; try again in a minute."), 429
        )
    if page_limit in exceeded:
        return _error(
            request,
            config,
            _("This page gets many comments right now; try again in a minute."),
            429,
        )
    # The duplicate check commits with the comment: a failed store leaves no fingerprint.
    # The comment is stored as a delivery and ingested by the worker moments later (as
    # webhooks are); the widget shows it to its author at once and refreshes.
    with transaction.atomic():
        if not first_time(f"w:dup:{fingerprint}", DUPLICATE_WINDOW):
            return _error(
                request, config, _("This comment has already been posted."), 409, field="text"
            )
        deliveries.receive(channel, deliveries.encode_items([item]), 1)
    status = {
        Visibility.PUBLISHED: "published",
        Visibility.HELD: "pending",
        Visibility.PRIVATE: "received",
    }[visibility]
    return _cors(
        JsonResponse({"status": status, "ref": item.external_id}, status=201), request, config
    )
