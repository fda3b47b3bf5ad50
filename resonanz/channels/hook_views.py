"""The generic webhook endpoint: one URL per channel, HMAC-signed JSON."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from resonanz.channels import deliveries
from resonanz.channels.connectors import connector_for
from resonanz.channels.models import ChannelKind
from resonanz.channels.providers.webhook.connector import WebhookPayloadNotJSON
from resonanz.channels.providers.webhook.schema import WebhookPayloadError
from resonanz.channels.selectors import public_channel


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, key: str) -> JsonResponse:
    """Verify the signature first (401, nothing stored), then validate (400), then store
    the delivery and answer 202; the worker ingests it (``channels/deliveries.py``)."""
    channel = public_channel(key, ChannelKind.WEBHOOK)
    if channel is None:
        return JsonResponse({"error": "Unknown webhook URL."}, status=404)
    connector = connector_for(channel)
    if not connector.verify_webhook(request):
        return JsonResponse(
            {
                "error": "Missing or wrong signature. Send X-Resonanz-Signature: sha256=<hex "
                "HMAC-SHA256 of the raw body with the channel secret>."
            },
            status=401,
        )
    if (request.content_type or "").split(";")[0] not in ("application/json", ""):
        return JsonResponse({"error": "Content-Type must be application/json."}, status=415)
    try:
        items = connector.parse_webhook(request)
    except WebhookPayloadNotJSON as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    except WebhookPayloadError as exc:
        return JsonResponse(
            {"error": "The payload does not match the schema.", "fields": exc.errors}, status=400
        )
    delivery = deliveries.receive(channel, request.body, len(items))
    return JsonResponse({"accepted": len(items), "delivery": delivery.pk}, status=202)
