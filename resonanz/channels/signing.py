"""HMAC-SHA256 signatures for webhooks, in and out."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Resonanz-Signature"
SIGNATURE_PREFIX = "sha256="


def sign(secret: str, body: bytes) -> str:
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_matches(secret: str, body: bytes, header_value: str | None) -> bool:
    if not header_value or not header_value.startswith(SIGNATURE_PREFIX):
        return False
    return hmac.compare_digest(sign(secret, body), header_value.strip())
