"""The fake's HTTP side: the Onfido-style v3.6 calls the API makes (applicants, SDK tokens, checks), answered from
the ledger, plus `/_fake/...` routes of its own for tests and debugging (complete a check now, the delivery log).
Loopback only; every v3.6 call needs the fake's API token (`Authorization: Token token=...`)."""

from __future__ import annotations

import hmac
import json
import re
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import structlog

from terra.local.fake_kyc.errors import FakeApiError

if TYPE_CHECKING:
    from terra.local.fake_kyc import FakeKyc

log = structlog.get_logger("terra.fake_kyc")

ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("POST", re.compile(r"^/v3\.6/applicants/?$"), "create_applicant"),
    ("GET", re.compile(r"^/v3\.6/applicants/(?P<id>\w+)$"), "get_applicant"),
    ("POST", re.compile(r"^/v3\.6/sdk_token/?$"), "sdk_token"),
    ("POST", re.compile(r"^/v3\.6/checks/?$"), "create_check"),
    ("GET", re.compile(r"^/v3\.6/checks/(?P<id>\w+)$"), "get_check"),
    ("POST", re.compile(r"^/_fake/checks/(?P<id>\w+)/complete$"), "fake_complete"),
    ("GET", re.compile(r"^/_fake/webhooks$"), "fake_webhooks"),
]


class FakeKycServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], fake: FakeKyc) -> None:
        super().__init__(address, FakeKycHandler)
        self.fake = fake


class FakeKycHandler(BaseHTTPRequestHandler):
    server: FakeKycServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
        pass

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        path = self.path.split("?", 1)[0]
        try:
            status, answer = self._dispatch(method, path, raw)
        except FakeApiError as exc:
            status, answer = exc.status, exc.body()
        payload = json.dumps(answer).encode()
        log.debug("fake_kyc_request", method=method, path=path, status=status)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _dispatch(self, method: str, path: str, raw: bytes) -> tuple[int, Any]:
        for route_method, pattern, name in ROUTES:
            match = pattern.match(path)
            if match and route_method == method:
                if not path.startswith("/_fake/"):
                    self._authenticate()
                body = _json_body(raw)
                status = 201 if method == "POST" and name in ("create_applicant", "create_check") else 200
                return status, getattr(self, name)(body, *match.groups())
        raise FakeApiError(404, "resource_not_found", f"{method} {path}: not a route of the local FAKE KYC provider")

    def _authenticate(self) -> None:
        given = self.headers.get("Authorization", "")
        expected = f"Token token={self.server.fake.api_token}"
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise FakeApiError(401, "authorization_error", "Authorization error: please re-check your credentials")

    # ----- the endpoints -------------------------------------------------------------------------

    def create_applicant(self, body: dict[str, Any]) -> Any:
        return self.server.fake.ledger.create_applicant(body)

    def get_applicant(self, body: dict[str, Any], applicant_id: str) -> Any:
        return self.server.fake.ledger.applicant(applicant_id)

    def sdk_token(self, body: dict[str, Any]) -> Any:
        return self.server.fake.ledger.sdk_token(body)

    def create_check(self, body: dict[str, Any]) -> Any:
        return self.server.fake.create_check(body)

    def get_check(self, body: dict[str, Any], check_id: str) -> Any:
        return self.server.fake.ledger.check(check_id)

    def fake_complete(self, body: dict[str, Any], check_id: str) -> Any:
        result = body.get("result")
        return self.server.fake.ledger.complete(check_id, result if isinstance(result, str) else None)

    def fake_webhooks(self, body: dict[str, Any]) -> Any:
        return {"webhooks": self.server.fake.sender.log()}


def _json_body(raw: bytes) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise FakeApiError(400, "bad_request", "the body is not JSON") from None
    if not isinstance(body, dict):
        raise FakeApiError(400, "bad_request", "the body must be a JSON object")
    return body
