"""Webhook delivery as Stripe does it, shortened from hours to seconds: each event posted, signed anew at every
attempt, to the endpoint; a non-2xx answer or a connection error is retried after the next delay of the schedule,
and the event is marked failed once the schedule runs out. Every attempt is kept for inspection."""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
import structlog

from core.stripe.events import Event, event_body
from core.stripe.signature import SIGNATURE_HEADER, sign_payload

log = structlog.get_logger("terra.fake_stripe")

# Stripe retries for up to three days with exponential backoff; the fake does the same in seconds, for about 17
# minutes in all: long enough to start (or restart) the relayer after the stack.
DEFAULT_RETRY_DELAYS: tuple[float, ...] = tuple(float(2**n) for n in range(10))
USER_AGENT = "Stripe/1.0 (+https://stripe.com/docs/webhooks; terra local FAKE Stripe)"


@dataclass
class Attempt:
    at: float
    status: int | None  # the endpoint's HTTP status, None when it could not be reached
    error: str | None = None


@dataclass
class Delivery:
    event: Event
    body: bytes
    attempts: list[Attempt] = field(default_factory=list)
    state: Literal["pending", "delivered", "failed", "no_endpoint"] = "pending"

    def summary(self) -> dict[str, Any]:
        last = self.attempts[-1] if self.attempts else None
        return {
            "id": self.event["id"],
            "type": self.event["type"],
            "object_id": self.event["data"]["object"]["id"],
            "state": self.state,
            "attempts": [{"at": a.at, "status": a.status, "error": a.error} for a in self.attempts],
            "last_status": last.status if last else None,
        }


class WebhookSender:
    """One background thread posting deliveries in the order they fall due."""

    def __init__(
        self,
        url: str | None,
        secret: str,
        *,
        retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.url = url
        self._secret = secret
        self._delays = retry_delays
        self._timeout = timeout
        self._clock = clock
        self._due: list[tuple[float, int, Delivery]] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.deliveries: list[Delivery] = []

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="fake-stripe-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(self._timeout + 5)

    def enqueue(self, event: Event) -> None:
        delivery = Delivery(event, event_body(event))
        with self._cond:
            self.deliveries.append(delivery)
            if self.url is None:  # no endpoint configured: kept in the log only
                delivery.state = "no_endpoint"
                return
            heapq.heappush(self._due, (time.monotonic(), next(self._seq), delivery))
            self._cond.notify_all()

    def log(self) -> list[dict[str, Any]]:
        with self._cond:
            return [d.summary() for d in self.deliveries]

    def _run(self) -> None:
        with httpx.Client(timeout=self._timeout) as client:
            while True:
                with self._cond:
                    while not self._stopping and (not self._due or self._due[0][0] > time.monotonic()):
                        self._cond.wait(self._due[0][0] - time.monotonic() if self._due else None)
                    if self._stopping:
                        return
                    _, _, delivery = heapq.heappop(self._due)
                self._attempt(client, delivery)

    def _attempt(self, client: httpx.Client, delivery: Delivery) -> None:
        assert self.url is not None
        now = self._clock()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            SIGNATURE_HEADER: sign_payload(delivery.body, self._secret, int(now)),
        }
        try:
            status: int | None = client.post(self.url, content=delivery.body, headers=headers).status_code
            attempt = Attempt(now, status)
        except httpx.HTTPError as exc:
            status, attempt = None, Attempt(now, None, f"{type(exc).__name__}: {exc}")
        with self._cond:
            delivery.attempts.append(attempt)
            n = len(delivery.attempts)
            if status is not None and 200 <= status < 300:
                delivery.state = "delivered"
            elif n > len(self._delays):
                delivery.state = "failed"
            else:
                heapq.heappush(self._due, (time.monotonic() + self._delays[n - 1], next(self._seq), delivery))
        ev = delivery.event
        if delivery.state == "delivered":
            log.info("fake_stripe_webhook_delivered", event_id=ev["id"], type=ev["type"], attempt=n, status=status)
        else:
            log.warning(
                "fake_stripe_webhook_failed" if delivery.state == "failed" else "fake_stripe_webhook_retrying",
                event_id=ev["id"],
                type=ev["type"],
                attempt=n,
                status=status,
                error=attempt.error,
            )
