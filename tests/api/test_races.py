"""Requests racing on one row: the database decides (row lock, unique constraint), never the interleaving."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import RefreshTokenFamily, User
from tests.api.conftest import STRONG_PASSWORD, Api


def race(api: Api, calls: list[Callable[[TestClient], httpx.Response]]) -> list[httpx.Response]:
    """Each call from its own thread and client, released together."""
    start = threading.Barrier(len(calls))
    answers: list[Any] = [None] * len(calls)
    app = api.client.app

    def run(i: int) -> None:
        with TestClient(app, base_url="https://testserver") as client:  # type: ignore[arg-type]
            start.wait()
            answers[i] = calls[i](client)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return answers


def test_one_refresh_token_presented_twice_at_once_rotates_once_and_revokes_the_family(api: Api) -> None:
    user = api.register()
    token = api.tokens(user["email"])["refresh_token"]
    answers = race(
        api, [lambda c: c.post("/api/v1/users/token/refresh", json={"refresh_token": token}) for _ in range(2)]
    )
    assert sorted(a.status_code for a in answers) == [200, 401]
    assert [a.json()["error"]["code"] for a in answers if a.status_code == 401] == ["REFRESH_TOKEN_REUSED"]
    with Session(api.engine) as session:
        assert session.scalars(select(RefreshTokenFamily.revoked_reason)).one() == "reuse"


def test_one_email_registered_twice_at_once_gives_one_account(api: Api) -> None:
    body = {"email": "twice@example.org", "password": STRONG_PASSWORD, "country": "DE"}
    answers = race(api, [lambda c: c.post("/api/v1/users/register", json=body) for _ in range(3)])
    assert sorted(a.status_code for a in answers) == [201, 409, 409]
    with Session(api.engine) as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1
