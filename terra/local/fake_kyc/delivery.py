"""Webhook delivery as an Onfido-style provider does it: the event's JSON body, signed with HMAC-SHA256 under the
webhook token (hex, `X-SHA2-Signature`), posted to the endpoint; a non-2xx answer or a connection error is retried
after the next delay of the schedule. The signature is computed here, independently of the API's verifier."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
import structlog

from terra.local.fake_kyc.timeline import Timeline

log = structlog.get_logger("terra.fake_kyc")

SIGNATURE_HEADER = "X-SHA2-Signature"
DEFAULT_RETRY_DELAYS: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
USER_AGENT = "terra local FAKE KYC provider (Onfido-style webhooks)"


def sign(body: bytes, token: str) -> str:
    return hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class Delivery:
    check_id: str
    action: str
    body: bytes
    attempts: list[dict[str, Any]] = field(default_factory=list)
    state: Literal["pending", "delivered", "failed", "no_endpoint"] = "pending"

    def summary(self) -> dict[str, Any]:
        return {
            "object_id": self.check_id,
            "action": self.action,
            "state": self.state,
            "attempts": list(self.attempts),
            "last_status": self.attempts[-1]["status"] if self.attempts else None,
        }


class WebhookSender:
    def __init__(
        self, url: str | None, token: str, timeline: Timeline, retry_delays: tuple[float, ...], timeout: float
    ) -> None:
        self.url = url
        self._token = token
        self._timeline = timeline
        self._delays = retry_delays
        self._timeout = timeout
        self._lock = threading.Lock()
        self.deliveries: list[Delivery] = []

    def send(self, check_id: str, action: str, event: dict[str, Any]) -> Delivery:
        delivery = Delivery(check_id, action, json.dumps(event, separators=(",", ":")).encode())
        with self._lock:
            self.deliveries.append(delivery)
        if self.url is None:
            delivery.state = "no_endpoint"
        else:
            self._timeline.after(0, lambda: self._attempt(delivery))
        return delivery

    def log(self) -> list[dict[str, Any]]:
        with self._lock:
            return [d.summary() for d in self.deliveries]

    def _attempt(self, delivery: Delivery) -> None:
        assert self.url is not None
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            SIGNATURE_HEADER: sign(delivery.body, self._token),
        }
        error: str | None = None
        try:
            status: int | None = httpx.post(
                self.url, content=delivery.body, headers=headers, timeout=self._timeout
            ).status_code
        except httpx.HTTPError as exc:
            status, error = None, type(exc).__name__
        with self._lock:
            delivery.attempts.append({"at": time.time(), "status": status, "error": error})
            n = len(delivery.attempts)
            if status is not None and 200 <= status < 300:
                delivery.state = "delivered"
            elif n > len(self._delays):
                delivery.state = "failed"
            else:
                self._timeline.after(self._delays[n - 1], lambda: self._attempt(delivery))
        log.info("fake_kyc_webhook", check_id=delivery.check_id, attempt=n, status=status, state=delivery.state)
