"""The API on the session's real PostgreSQL, through Starlette's TestClient (the ASGI app in-process, over an
https base URL so that Secure cookies travel). `api` helpers register, log in and grant roles."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.accounts import service
from api.app import create_app
from api.settings import ApiSettings
from core.settings import load_settings

TEST_JWT_KEY = "test-only-jwt-key-" + "k" * 32
STRONG_PASSWORD = "Correct-Horse-Battery-42"


def api_settings(**overrides: Any) -> ApiSettings:
    """Rate limits are off unless a test turns them on (tests/api/test_rate_limits.py): no test is throttled by
    the requests of the tests before it."""
    values: dict[str, Any] = {
        "api_jwt_secret": TEST_JWT_KEY,
        "api_ready_max_index_age_seconds": None,
        "api_rate_limits_enabled": False,
    }
    return load_settings(ApiSettings, **(values | overrides))


@dataclass
class Api:
    client: TestClient
    engine: Engine

    def register(
        self, email: str | None = None, password: str = STRONG_PASSWORD, country: str = "DE"
    ) -> dict[str, Any]:
        email = email or f"user-{uuid.uuid4().hex[:10]}@example.org"
        answer = self.client.post(
            "/api/v1/users/register", json={"email": email, "password": password, "country": country}
        )
        assert answer.status_code == 201, answer.text
        data: dict[str, Any] = answer.json()["data"]
        return data

    def login(self, email: str, password: str = STRONG_PASSWORD, mode: str = "bearer") -> httpx.Response:
        return self.client.post("/api/v1/users/login", json={"email": email, "password": password, "mode": mode})

    def tokens(self, email: str, password: str = STRONG_PASSWORD) -> dict[str, Any]:
        answer = self.login(email, password)
        assert answer.status_code == 200, answer.text
        data: dict[str, Any] = answer.json()["data"]
        return data

    def user_with_token(self) -> tuple[dict[str, Any], str]:
        user = self.register()
        return user, self.tokens(user["email"])["access_token"]

    def quick_users(self, count: int) -> None:
        """`count` accounts written straight to the database with one shared hash (listing tests need many
        rows, not many argon2 runs)."""
        from datetime import UTC, datetime

        from api.accounts import repository
        from api.accounts.passwords import hash_password

        shared = hash_password(STRONG_PASSWORD)
        with Session(self.engine) as session, session.begin():
            for _ in range(count):
                email = f"bulk-{uuid.uuid4().hex[:10]}@example.org"
                repository.add_user(session, email=email, password_hash=shared, country="FR", now=datetime.now(UTC))

    def grant(self, user_id: str, role: str) -> None:
        with Session(self.engine) as session, session.begin():
            service.grant_role(session, uuid.UUID(user_id), role)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def make_app(clean_db: Engine) -> Iterator[Any]:
    def make(**overrides: Any) -> FastAPI:
        return create_app(api_settings(**overrides), engine=clean_db)

    yield make


@pytest.fixture
def api(make_app: Any, clean_db: Engine) -> Iterator[Api]:
    with TestClient(make_app(), base_url="https://testserver") as client:
        yield Api(client, clean_db)


@pytest.fixture(scope="session", autouse=True)
def _service_logging() -> None:
    """Logs as the API process writes them (plain tracebacks, secrets scrubbed), not structlog's defaults."""
    from core.logging_setup import configure_logging

    configure_logging("INFO", json_lines=False)
