"""The `Stripe-Signature` header as Stripe computes it: HMAC-SHA256 with the endpoint's secret over
"<timestamp>.<raw body>", sent as `t=<timestamp>,v1=<hex>`. Used by the local fake and `terra stripe simulate`;
the relayer verifies with the SDK's own `stripe.Webhook.construct_event`."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "Stripe-Signature"


def signature(payload: bytes, secret: str, timestamp: int) -> str:
    signed = str(timestamp).encode() + b"." + payload
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def sign_payload(payload: bytes, secret: str, timestamp: int) -> str:
    """The header value for `payload` (the exact bytes sent) signed at `timestamp` (Unix seconds)."""
    return f"t={timestamp},v1={signature(payload, secret, timestamp)}"
