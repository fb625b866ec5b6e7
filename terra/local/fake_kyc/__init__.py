"""A FAKE KYC provider for the local stack and the tests: a small HTTP server on loopback speaking the
Onfido-style API the API's provider client uses, which completes each check after a short delay and posts a
correctly signed `check.completed` webhook to the API. It runs only without KYC_API_TOKEN, never with real
credentials; an applicant whose last name is "Consider" is rejected (or a test completes a check through
`POST /_fake/checks/{id}/complete`)."""

from __future__ import annotations

import ipaddress
import threading
from typing import Any
from urllib.parse import urlsplit

import structlog

from api.settings import ApiSettings
from terra.local.fake_kyc.delivery import DEFAULT_RETRY_DELAYS, WebhookSender
from terra.local.fake_kyc.ledger import Ledger
from terra.local.fake_kyc.server import FakeKycServer
from terra.local.fake_kyc.timeline import Timeline

__all__ = ["DEFAULT_RETRY_DELAYS", "FakeKyc", "FakeKycRefused"]

log = structlog.get_logger("terra.fake_kyc")
WEBHOOK_PATH = "/api/v1/kyc/webhook"


class FakeKycRefused(RuntimeError):
    """The fake was asked to run where a real KYC provider is configured, or off loopback."""


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class FakeKyc:
    """Start with `start()` (or `with FakeKyc(...) as fake:`); `url` is the API base the provider client uses.
    `approve_after` None: checks complete only when told to (`complete()` or the `/_fake` route)."""

    def __init__(
        self,
        *,
        webhook_url: str | None,
        api_token: str,
        webhook_token: str,
        approve_after: float | None = 2.0,
        port: int = 0,
        host: str = "127.0.0.1",
        retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS,
        webhook_timeout: float = 10.0,
    ) -> None:
        if not _is_loopback(host):
            raise FakeKycRefused(f"the FAKE KYC provider listens on loopback only, not {host}")
        self.host, self.port = host, port
        self.api_token = api_token
        self.approve_after = approve_after
        self.timeline = Timeline()
        self.sender = WebhookSender(webhook_url, webhook_token, self.timeline, retry_delays, webhook_timeout)
        self.ledger = Ledger(lambda: self.url, self._completed)
        self._server: FakeKycServer | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def from_settings(cls, settings: ApiSettings, **kwargs: Any) -> FakeKyc:
        """On the address of KYC_API_BASE (or the fake's default) with the API's fake-mode tokens, completing checks
        after KYC_FAKE_APPROVE_SECONDS and posting to the API's webhook. Refused once KYC_API_TOKEN is set."""
        if settings.kyc_mode == "provider":
            raise FakeKycRefused("KYC_API_TOKEN is set: a real KYC provider is configured, the local FAKE stays off")
        address = urlsplit(settings.kyc_base_url)
        api_token, webhook_token = settings.kyc_tokens()
        kwargs.setdefault("host", address.hostname or "127.0.0.1")
        kwargs.setdefault("port", address.port or 0)
        kwargs.setdefault("webhook_url", f"http://{settings.api_host}:{settings.api_port}{WEBHOOK_PATH}")
        kwargs.setdefault("approve_after", settings.kyc_fake_approve_seconds)
        return cls(api_token=api_token, webhook_token=webhook_token, **kwargs)

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the FAKE KYC provider is not started")
        return f"http://{self.host}:{self._server.server_address[1]}"

    def start(self) -> FakeKyc:
        self._server = FakeKycServer((self.host, self.port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-kyc", daemon=True
        )
        self._thread.start()
        self.timeline.start()
        log.info("fake_kyc_started", url=self.url, webhook_url=self.sender.url, note="local FAKE KYC provider")
        return self

    def stop(self) -> None:
        self.timeline.stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)
        self._server = self._thread = None
        log.info("fake_kyc_stopped")

    def __enter__(self) -> FakeKyc:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def create_check(self, body: dict[str, Any]) -> dict[str, Any]:
        check = self.ledger.create_check(body)
        if self.approve_after is not None:
            check_id = check["id"]
            self.timeline.after(self.approve_after, lambda: self._complete_quietly(check_id))
        return check

    def complete(self, check_id: str, result: str | None = None) -> dict[str, Any]:
        return self.ledger.complete(check_id, result)

    def webhooks(self) -> list[dict[str, Any]]:
        return self.sender.log()

    def _complete_quietly(self, check_id: str) -> None:
        self.ledger.complete(check_id)

    def _completed(self, check: dict[str, Any]) -> None:
        self.sender.send(check["id"], "check.completed", self.ledger.webhook_event(check))
