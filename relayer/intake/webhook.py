"""The relayer's HTTP side: `POST /webhooks/stripe` (verify, store once, 2xx), `/health` and `/metrics`.

The signature is checked over the raw body by the stripe SDK (300 s tolerance) before anything is parsed or
stored. A verified event is inserted keyed by its id (`ON CONFLICT DO NOTHING RETURNING`): a replay answers 200
and adds nothing. Processing happens in the worker (`on_stored` wakes it), never in the request.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import stripe
import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from relayer.metrics import WEBHOOKS
from relayer.payments.repository import store_stripe_event

log = structlog.get_logger("relayer.intake")

SIGNATURE_TOLERANCE_SECONDS = 300
MAX_BODY_BYTES = 512 * 1024  # Stripe's events are a few kB; anything this large is not one


def _error(status: int, code: str, message: str) -> JSONResponse:
    WEBHOOKS.labels(result=code).inc()
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def webhook_app(
    session_factory: sessionmaker[Session],
    webhook_secret: str,
    on_stored: Callable[[], None] = lambda: None,
    health: Callable[[], dict[str, Any]] = lambda: {"status": "ok"},
) -> FastAPI:
    app = FastAPI(title="Terra Lumina relayer", docs_url=None, redoc_url=None, openapi_url=None)

    @app.post("/webhooks/stripe")
    async def stripe_webhook(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return _error(413, "payload_too_large", f"webhook bodies are at most {MAX_BODY_BYTES} bytes")
        header = request.headers.get("stripe-signature")
        if not header:
            log.warning("webhook_rejected", code="missing_signature")
            return _error(400, "missing_signature", "Stripe-Signature header is missing")
        try:
            stripe.WebhookSignature.verify_header(
                body.decode("utf-8", "replace"), header, webhook_secret, SIGNATURE_TOLERANCE_SECONDS
            )
        except stripe.SignatureVerificationError as exc:
            log.warning("webhook_rejected", code="invalid_signature", reason=str(exc).split(",")[0][:120])
            return _error(400, "invalid_signature", "Stripe-Signature does not verify (forged, stale or wrong secret)")
        try:
            event = json.loads(body)
            event_id, event_type = event["id"], event["type"]
            if not isinstance(event_id, str) or not isinstance(event_type, str) or not event_id:
                raise TypeError("id and type must be strings")
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("webhook_rejected", code="malformed_payload", error=type(exc).__name__)
            return _error(400, "malformed_payload", "the body is not a Stripe event (JSON object with id and type)")
        livemode = bool(event.get("livemode", False))
        new = await run_in_threadpool(_store, session_factory, event_id, event_type, livemode, event)
        log.info("webhook_stored" if new else "webhook_replayed", event_id=event_id, type=event_type)
        WEBHOOKS.labels(result="stored" if new else "duplicate").inc()
        if new:
            on_stored()
        return JSONResponse({"received": True, "duplicate": not new})

    @app.get("/health")
    def health_check() -> dict[str, Any]:
        return health()

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app


def _store(
    session_factory: sessionmaker[Session], event_id: str, event_type: str, livemode: bool, event: dict[str, Any]
) -> bool:
    with session_factory.begin() as session:
        return store_stripe_event(session, event_id, event_type, livemode, event)
