"""KYC tests: the API (in-process through TestClient, or live under uvicorn when the FAKE provider must reach its
webhook) pointed at a FAKE KYC provider of the test's own, on the session's real PostgreSQL."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from api.app import create_app
from api.kyc.providers.onfido import SIGNATURE_HEADER, signature
from api.settings import LOCAL_FAKE_KYC_WEBHOOK_TOKEN
from terra.local.anvil import free_port
from terra.local.fake_kyc import FakeKyc
from tests.api.conftest import STRONG_PASSWORD, api_settings, bearer

WEBHOOK = "/api/v1/kyc/webhook"
FAST_RETRIES = (0.1, 0.2, 0.4, 0.8, 1.6, 3.2)


@pytest.fixture
def fake_kyc() -> Iterator[FakeKyc]:
    """Completes checks only when a test says so (webhooks go to the live API once one runs)."""
    from api.settings import LOCAL_FAKE_KYC_API_TOKEN

    with FakeKyc(
        webhook_url=None,
        api_token=LOCAL_FAKE_KYC_API_TOKEN,
        webhook_token=LOCAL_FAKE_KYC_WEBHOOK_TOKEN,
        approve_after=None,
        retry_delays=FAST_RETRIES,
    ) as fake:
        yield fake


def kyc_settings(fake: FakeKyc, **overrides: Any) -> Any:
    values: dict[str, Any] = {"kyc_fake": True, "kyc_api_base": fake.url, "kyc_timeout_seconds": 5.0}
    return api_settings(**(values | overrides))


def signed(body: bytes, token: str = LOCAL_FAKE_KYC_WEBHOOK_TOKEN) -> dict[str, str]:
    return {SIGNATURE_HEADER: signature(body, token), "Content-Type": "application/json"}


@dataclass
class Kyc:
    """An HTTP client on the API (TestClient or live) with the calls KYC tests make, and the database."""

    http: httpx.Client
    engine: Engine
    fake: FakeKyc

    def user(self) -> tuple[uuid.UUID, str]:
        email = f"kyc-{uuid.uuid4().hex[:10]}@example.org"
        answer = self.http.post(
            "/api/v1/users/register", json={"email": email, "password": STRONG_PASSWORD, "country": "DE"}
        )
        assert answer.status_code == 201, answer.text
        login = self.http.post("/api/v1/users/login", json={"email": email, "password": STRONG_PASSWORD})
        return uuid.UUID(answer.json()["data"]["id"]), login.json()["data"]["access_token"]

    def start(self, token: str, first: str = "Ada", last: str = "Lovelace") -> httpx.Response:
        return self.http.post("/api/v1/users/kyc", json={"first_name": first, "last_name": last}, headers=bearer(token))

    def status(self, token: str) -> dict[str, Any]:
        answer = self.http.get("/api/v1/users/kyc/status", headers=bearer(token))
        assert answer.status_code == 200, answer.text
        data: dict[str, Any] = answer.json()["data"]
        return data

    def webhook(self, body: bytes, headers: dict[str, Any] | None = None) -> httpx.Response:
        return self.http.post(WEBHOOK, content=body, headers=signed(body) if headers is None else headers)

    def link_wallet(self, user_id: uuid.UUID, address: str) -> None:
        self.sql(
            "INSERT INTO user_wallets (address, user_id, chain_id) VALUES (:a, :u, 31337)", a=address.lower(), u=user_id
        )

    def sql(self, query: str, **params: Any) -> list[tuple[Any, ...]]:
        with self.engine.begin() as conn:
            result = conn.execute(text(query), params)
            return [tuple(r) for r in result] if result.returns_rows else []

    def snapshot(self) -> dict[str, Any]:
        """Everything KYC writes, to compare before and after a request that must change nothing."""
        q = {
            "users": "SELECT id, kyc_status, kyc_verified_at FROM users ORDER BY id",
            "records": "SELECT id, status, verification_data::text, verified_at FROM kyc_records ORDER BY id",
            "events": "SELECT provider, event_id, outcome FROM kyc_webhook_events ORDER BY event_id",
            "intents": "SELECT kind, account, status FROM compliance_intents ORDER BY id",
            "custodial": "SELECT user_id, account_index, address FROM custodial_accounts ORDER BY account_index",
        }
        return {k: self.sql(v) for k, v in q.items()}


@pytest.fixture
def kyc(clean_db: Engine, fake_kyc: FakeKyc) -> Iterator[Kyc]:
    """The API in-process (TestClient): webhooks are posted by the tests themselves."""
    with TestClient(create_app(kyc_settings(fake_kyc), engine=clean_db), base_url="https://testserver") as client:
        yield Kyc(client, clean_db, fake_kyc)


@pytest.fixture
def live_kyc(clean_db: Engine, fake_kyc: FakeKyc) -> Iterator[Kyc]:
    """The API under uvicorn on a free port, so that the FAKE provider can post its webhooks to it."""
    port = free_port()
    app = create_app(kyc_settings(fake_kyc, api_port=port), engine=clean_db)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False))
    thread = threading.Thread(target=server.run, name="kyc-test-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the API did not start"
    base = f"http://127.0.0.1:{port}"
    fake_kyc.sender.url = base + WEBHOOK
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            yield Kyc(client, clean_db, fake_kyc)
    finally:
        server.should_exit = True
        thread.join(15)
