"""A tiny webhook endpoint for the fake's tests: answers each POST with the next status of a script (then 200)
and keeps what it received, with whether the API's own verifier accepted the signature."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from api.kyc.providers.base import WebhookEvent, WebhookPayloadInvalid, WebhookSignatureInvalid
from api.kyc.providers.onfido import OnfidoProvider


@dataclass
class Received:
    body: bytes
    headers: dict[str, str]
    event: WebhookEvent | None


@dataclass
class WebhookReceiver:
    provider: OnfidoProvider
    statuses: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/v1/kyc/webhook"

    def __enter__(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = dict(self.headers.items())
                try:
                    event: WebhookEvent | None = receiver.provider.parse_webhook(body, headers)
                except (WebhookSignatureInvalid, WebhookPayloadInvalid):
                    event = None
                receiver.received.append(Received(body, headers, event))
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
