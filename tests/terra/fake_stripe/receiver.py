"""A tiny webhook endpoint for tests: answers each POST with the next status of a script (then 200), and keeps
what it received and whether the real SDK accepted the signature."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import stripe


@dataclass
class Received:
    body: bytes
    signature: str
    verified: bool


@dataclass
class WebhookReceiver:
    secret: str
    statuses: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/webhooks/stripe"

    def __enter__(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                signature = self.headers.get("Stripe-Signature", "")
                try:
                    stripe.Webhook.construct_event(body, signature, receiver.secret, tolerance=300)
                    verified = True
                except (stripe.SignatureVerificationError, ValueError):
                    verified = False
                receiver.received.append(Received(body, signature, verified))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()


def wait_for(condition: Callable[[], Any], deadline: float = 30.0) -> Any:
    """Poll until `condition()` is truthy; a generous deadline, never a timing assertion."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if result := condition():
            return result
        time.sleep(0.02)
    raise AssertionError("condition not met before the deadline")
