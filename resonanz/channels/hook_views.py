"""The generic webhook endpoint: one URL per channel, HMAC-signed JSON."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from resonanz.channels.connectors import connector_for
from resonanz.channels.ingest import ingest
from resonanz.channels.models import Channel, ChannelKind
from resonanz.channels.providers.webhook.connector import WebhookPayloadNotJSON
from resonanz.channels.providers.webhook.schema import WebhookPayloadError


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, key: str) -> JsonResponse:
    """Verify the signature first (401, nothing stored), then validate (400), then ingest."""
    channel = Channel.objects.filter(
        public_key=key, kind=ChannelKind.WEBHOOK, is_active=True
    ).first()
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
    result = ingest(channel, items)
    return JsonResponse(
        {
            "accepted": len(items),
            "created": len(result.created_ids),
            "duplicates": result.duplicates,
        },
        status=202,
    )
