"""The fake's HTTP side: Stripe's form-encoded v1 endpoints the project calls, answered from the ledger, plus
`/_fake/...` endpoints of its own (delivery log, disputes) for tests and debugging. Loopback only."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import structlog

from core.stripe import events
from terra.local.fake_stripe.errors import ApiError, missing
from terra.local.fake_stripe.forms import FormError, parse_form

if TYPE_CHECKING:
    from terra.local.fake_stripe import FakeStripe

log = structlog.get_logger("terra.fake_stripe")

TEST_KEY = re.compile(r"^(sk|rk)_test_\w+$")
PUBLISHABLE_KEY = re.compile(r"^pk_test_\w+$")
# What a browser may do with a publishable key and the intent's client secret, as Stripe.js does.
CLIENT_SIDE = frozenset({"get_payment_intent", "confirm_payment_intent"})
LIVE_KEY = re.compile(r"^(sk|rk|pk)_live_")
ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("POST", re.compile(r"^/v1/payment_intents$"), "create_payment_intent"),
    ("GET", re.compile(r"^/v1/payment_intents/(?P<id>[\w]+)$"), "get_payment_intent"),
    ("POST", re.compile(r"^/v1/payment_intents/(?P<id>[\w]+)/confirm$"), "confirm_payment_intent"),
    ("POST", re.compile(r"^/v1/payment_intents/(?P<id>[\w]+)/cancel$"), "cancel_payment_intent"),
    ("POST", re.compile(r"^/v1/refunds$"), "create_refund"),
    ("GET", re.compile(r"^/v1/refunds/(?P<id>[\w]+)$"), "get_refund"),
    ("GET", re.compile(r"^/v1/charges/(?P<id>[\w]+)$"), "get_charge"),
    ("GET", re.compile(r"^/_fake/events$"), "fake_events"),
    ("POST", re.compile(r"^/_fake/disputes$"), "fake_dispute"),
]


class FakeStripeServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], fake: FakeStripe) -> None:
        super().__init__(address, FakeStripeHandler)
        self.fake = fake
        self.idempotent: dict[tuple[str, str], tuple[int, bytes]] = {}
        self.idempotent_lock = threading.Lock()


class FakeStripeHandler(BaseHTTPRequestHandler):
    server: FakeStripeServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def do_DELETE(self) -> None:  # noqa: N802
        self._handle("DELETE")

    def do_OPTIONS(self) -> None:  # noqa: N802 - a browser's CORS preflight before a Stripe.js-style call
        self.send_response(204)
        self._cors()
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _cors(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Headers", "Authorization, Content-Type, Idempotency-Key, Stripe-Version")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
        pass  # one structured line per request below instead of http.server's stderr lines

    def _handle(self, method: str) -> None:
        request_id = events.new_id("req")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        parts = urlsplit(self.path)
        key = self._api_key()
        idem = self.headers.get("Idempotency-Key") if method == "POST" else None
        if idem and key and (cached := self.server.idempotent.get((key, idem))) is not None:
            self._send(*cached, request_id, replayed=True)
            return
        try:
            status, answer = self._dispatch(method, parts.path, parts.query if method == "GET" else body, key)
        except ApiError as exc:
            status, answer = exc.status, exc.body(request_id)
        payload = json.dumps(answer, indent=2).encode()
        if idem and key and status < 500:
            with self.server.idempotent_lock:
                self.server.idempotent[(key, idem)] = (status, payload)
        log.debug("fake_stripe_request", method=method, path=parts.path, status=status, request_id=request_id)
        self._send(status, payload, request_id)

    def _api_key(self) -> str | None:
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return None
        return auth.removeprefix("Bearer ").strip() or None

    def _dispatch(self, method: str, path: str, form: str, key: str | None) -> tuple[int, Any]:
        for route_method, pattern, name in ROUTES:
            match = pattern.match(path)
            if match and route_method == method:
                try:
                    params = parse_form(form)
                except FormError as exc:
                    raise ApiError(400, str(exc), param=exc.param) from None
                if key is not None and PUBLISHABLE_KEY.match(key) and name in CLIENT_SIDE:
                    self._check_client_secret(params, match.group("id"))
                elif not path.startswith("/_fake/"):
                    _authenticate(key)
                return 200, getattr(self, name)(params, *match.groups())
        raise ApiError(
            404,
            f"Unrecognized request URL ({method}: {path}). This is the local FAKE Stripe: it "
            "answers only the few calls Terra Lumina makes.",
        )

    def _check_client_secret(self, params: dict[str, Any], pi_id: str) -> None:
        """A publishable key reaches one intent only, with that intent's client secret (as with Stripe.js)."""
        pi = self.server.fake.ledger.payment_intent(pi_id)
        if params.get("client_secret") != pi["client_secret"]:
            raise missing("payment_intent", pi_id)

    def _send(self, status: int, payload: bytes, request_id: str, replayed: bool = False) -> None:
        self.send_response(status)
        self._cors()
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Request-Id", request_id)
        self.send_header("Stripe-Version", events.API_VERSION)
        if replayed:
            self.send_header("Idempotent-Replayed", "true")
        if status >= 400:
            self.send_header("Stripe-Should-Retry", "false")  # the fake's errors are all deterministic
        self.end_headers()
        self.wfile.write(payload)

    # ----- the endpoints -------------------------------------------------------------------------------------------

    def create_payment_intent(self, params: dict[str, Any]) -> Any:
        return self.server.fake.ledger.create_payment_intent(params)

    def get_payment_intent(self, params: dict[str, Any], pi_id: str) -> Any:
        return self.server.fake.ledger.payment_intent(pi_id)

    def confirm_payment_intent(self, params: dict[str, Any], pi_id: str) -> Any:
        return self.server.fake.ledger.confirm_payment_intent(pi_id, params)

    def cancel_payment_intent(self, params: dict[str, Any], pi_id: str) -> Any:
        return self.server.fake.ledger.cancel_payment_intent(pi_id, params)

    def create_refund(self, params: dict[str, Any]) -> Any:
        return self.server.fake.ledger.create_refund(params)

    def get_refund(self, params: dict[str, Any], refund_id: str) -> Any:
        return self.server.fake.ledger.refund(refund_id)

    def get_charge(self, params: dict[str, Any], charge_id: str) -> Any:
        return self.server.fake.ledger.charge(charge_id)

    def fake_events(self, params: dict[str, Any]) -> Any:
        return {"object": "list", "data": self.server.fake.sender.log()}

    def fake_dispute(self, params: dict[str, Any]) -> Any:
        pi_id = params.get("payment_intent")
        if not isinstance(pi_id, str) or not pi_id:
            raise ApiError(400, "Missing required param: payment_intent.", param="payment_intent")
        return self.server.fake.ledger.dispute_payment(pi_id, str(params.get("status") or "needs_response"))


def _authenticate(key: str | None) -> None:
    if key is None:
        raise ApiError(401, "You did not provide an API key. (local FAKE Stripe: any sk_test_ key will do.)")
    if LIVE_KEY.match(key):
        raise ApiError(401, "The local FAKE Stripe refuses live-mode keys: it never sees real credentials.")
    if not TEST_KEY.match(key):
        raise ApiError(
            401,
            "Invalid API Key provided (local FAKE Stripe: use an sk_test_ key; pk_test_ only with a client secret).",
        )
