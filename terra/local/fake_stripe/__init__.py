"""A FAKE Stripe for the local stack and the tests: a small HTTP server on loopback answering the few Stripe API
calls the project makes (PaymentIntents with Stripe's test cards, refunds) through the real `stripe` SDK, and
delivering signed webhooks with retries as Stripe does. It runs only without STRIPE_SECRET_KEY, never with real
credentials."""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import structlog

from core.stripe.events import Event
from core.stripe.settings import StripeSettings
from terra.local.fake_stripe.delivery import DEFAULT_RETRY_DELAYS, WebhookSender
from terra.local.fake_stripe.ledger import Ledger
from terra.local.fake_stripe.server import FakeStripeServer

__all__ = ["DEFAULT_RETRY_DELAYS", "FakeStripe", "FakeStripeRefused"]

log = structlog.get_logger("terra.fake_stripe")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it could resolve anywhere
        return False


class FakeStripeRefused(RuntimeError):
    """The fake was asked to run where real Stripe is configured, or off loopback."""


class FakeStripe:
    """Start with `start()` (or `with FakeStripe(...) as fake:`); `url` is its API base for the SDK."""

    def __init__(
        self,
        *,
        webhook_url: str | None,
        webhook_secret: str,
        port: int = 0,
        host: str = "127.0.0.1",
        retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS,
        webhook_timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not _is_loopback(host):
            raise FakeStripeRefused(f"the FAKE Stripe listens on loopback only, not {host}")
        self.host, self.port = host, port
        self.sender = WebhookSender(
            webhook_url, webhook_secret, retry_delays=retry_delays, timeout=webhook_timeout, clock=clock
        )
        self.ledger = Ledger(self._publish, clock)
        self._server: FakeStripeServer | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def from_settings(cls, settings: StripeSettings, **kwargs: Any) -> FakeStripe:
        """On the address of STRIPE_API_BASE (or the fake's default), signing with the local webhook secret and
        delivering to STRIPE_FAKE_WEBHOOK_URL. Refused once a Stripe secret key is set."""
        if not settings.uses_fake_stripe:
            raise FakeStripeRefused("STRIPE_SECRET_KEY is set: real Stripe is configured, the local FAKE stays off")
        address = urlsplit(settings.stripe_base_url)
        kwargs.setdefault("host", address.hostname or "127.0.0.1")
        kwargs.setdefault("port", address.port or 0)
        kwargs.setdefault("webhook_url", settings.stripe_fake_webhook_url)
        return cls(webhook_secret=settings.webhook_secret(), **kwargs)

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the FAKE Stripe is not started")
        return f"http://{self.host}:{self._server.server_address[1]}"

    def start(self) -> FakeStripe:
        self._server = FakeStripeServer((self.host, self.port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-stripe", daemon=True
        )
        self._thread.start()
        self.sender.start()
        log.info("fake_stripe_started", url=self.url, webhook_url=self.sender.url, note="local FAKE Stripe, test mode")
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)
        self.sender.stop()
        self._server = self._thread = None
        log.info("fake_stripe_stopped")

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def events(self) -> list[dict[str, Any]]:
        """The delivery log: every event emitted, its attempts and state."""
        return self.sender.log()

    def _publish(self, event: Event) -> None:
        self.sender.enqueue(event)
