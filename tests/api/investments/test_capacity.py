"""Capacity: what is left of a project is its cap minus what the index shows minted minus what open investments
hold (unexpired reservations, paid and minting ones), and concurrent requests never oversubscribe it: many clients
racing for the last units over real HTTP against uvicorn get exactly what is left, never more."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine, text

from api.app import create_app
from terra.local.anvil import free_port
from tests.api.conftest import Api, api_settings
from tests.api.investments.support import add_project, invest, investor, past_investment

TOKEN = 11


def _code(answer: httpx.Response) -> str:
    return str(answer.json()["error"]["code"])


def test_the_cap_minus_minted_minus_open_reservations_is_what_remains(invest_api: Api) -> None:
    engine = invest_api.engine
    project = add_project(engine, TOKEN, 10_000, minted=3_000)
    other, _ = investor(invest_api)
    past_investment(engine, other["id"], TOKEN, 2_000, status="pending_payment", reserved_for=timedelta(minutes=5))
    _, headers = investor(invest_api)
    refused = invest(invest_api, headers, project, amount_cents=5_001)
    assert refused.status_code == 409 and _code(refused) == "CAPACITY_EXCEEDED"
    assert refused.json()["error"]["details"] == {"requested_cents": 5_001, "available_cents": 5_000}
    assert invest(invest_api, headers, project, amount_cents=5_000).status_code == 201
    # Now nothing is left, even the smallest investment.
    full = invest(invest_api, headers, project, amount_cents=1_000)
    assert full.status_code == 409 and full.json()["error"]["details"]["available_cents"] == 0


@pytest.mark.parametrize(
    ("status", "reserved_for", "holds"),
    [
        ("pending_payment", timedelta(minutes=5), True),
        ("pending_payment", timedelta(minutes=-1), False),  # its reservation expired
        ("paid", timedelta(minutes=-1), True),  # paid: it will mint, whatever its reservation said
        ("minting", None, True),
        ("failed", timedelta(minutes=5), False),
        ("cancelled", timedelta(minutes=5), False),
        ("refunded", None, False),
        ("completed", None, False),  # already in the index's minted figure: not counted twice
    ],
)
def test_which_open_investments_hold_capacity(
    invest_api: Api, status: str, reserved_for: timedelta | None, holds: bool
) -> None:
    engine = invest_api.engine
    project = add_project(engine, TOKEN, 5_000)
    other, _ = investor(invest_api)
    past_investment(engine, other["id"], TOKEN, 2_000, status=status, reserved_for=reserved_for)
    _, headers = investor(invest_api)
    answer = invest(invest_api, headers, project, amount_cents=5_000)
    assert answer.status_code == (409 if holds else 201), answer.text
    if holds:
        assert answer.json()["error"]["details"]["available_cents"] == 3_000


def test_a_reservation_lasts_the_configured_minutes(make_app: Any, clean_db: Engine, fake_stripe: Any) -> None:
    from fastapi.testclient import TestClient

    with TestClient(
        make_app(stripe_api_base=fake_stripe.url, api_reservation_minutes=7), base_url="https://testserver"
    ) as client:
        api = Api(client, clean_db)
        project = add_project(clean_db, TOKEN, 5_000)
        _, headers = investor(api)
        inv = invest(api, headers, project, amount_cents=5_000).json()["data"]["investment"]
    with clean_db.connect() as conn:
        minutes = conn.execute(
            text("SELECT extract(epoch FROM reserved_until - created_at) / 60 FROM investments WHERE id = :id"),
            {"id": inv["id"]},
        ).scalar_one()
    assert round(float(minutes)) == 7


# ----- concurrency over real HTTP --------------------------------------------------------------


@pytest.fixture
def server(clean_db: Engine, fake_stripe: Any) -> Iterator[str]:
    """The API under uvicorn on a free port (its own threads and connection pool), card payments on the fake."""
    port = free_port()
    app = create_app(api_settings(stripe_api_base=fake_stripe.url), engine=clean_db)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert uv.started
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(30)


def _race(url: str, requests: list[tuple[dict[str, str], dict[str, Any]]]) -> list[httpx.Response]:
    """Each request from its own thread and HTTP client, released together."""
    start = threading.Barrier(len(requests))
    answers: list[Any] = [None] * len(requests)

    def run(i: int) -> None:
        headers, body = requests[i]
        with httpx.Client(base_url=url, timeout=120) as client:
            start.wait()
            answers[i] = client.post("/api/v1/investments", json=body, headers=headers)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    return answers


def _held(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT coalesce(sum(amount_cents), 0) FROM investments")).scalar_one())


def _investors(api: Api, n: int) -> list[dict[str, str]]:
    return [investor(api)[1] for _ in range(n)]


def test_concurrent_requests_for_the_last_capacity_fill_it_exactly_and_never_oversubscribe(
    api: Api, server: str
) -> None:
    project = add_project(api.engine, TOKEN, 10_000, minted=2_000)  # 8,000 left
    people = _investors(api, 8)
    # Sixteen requests of $10 (two per investor, so the per-investor lock races too) for eight $10 slots.
    body = {"project_id": str(project), "method": "card", "amount_cents": 1_000}
    answers = _race(server, [(people[i % 8], body) for i in range(16)])
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] * 8 + [409] * 8, [a.text for a in answers if a.status_code not in (201, 409)]
    assert {_code(a) for a in answers if a.status_code == 409} == {"CAPACITY_EXCEEDED"}
    assert _held(api.engine) == 8_000


def test_concurrent_requests_of_mixed_amounts_never_exceed_what_remains(api: Api, server: str) -> None:
    project = add_project(api.engine, TOKEN, 6_000, minted=1_000)  # 5,000 left
    people = _investors(api, 6)
    amounts = [1_500, 2_500, 1_000, 3_000, 1_200, 2_000, 1_000, 1_800, 1_300, 2_200, 1_100, 1_000]
    requests = [
        (people[i % 6], {"project_id": str(project), "method": "card", "amount_cents": cents})
        for i, cents in enumerate(amounts)
    ]
    answers = _race(server, requests)
    assert {a.status_code for a in answers} <= {201, 409}
    accepted = sum(c for c, a in zip(amounts, answers, strict=True) if a.status_code == 201)
    assert accepted == _held(api.engine) <= 5_000
    left = 5_000 - accepted
    # Every refusal was right when it was made: nothing refused would still fit in what is left now.
    assert all(c > left for c, a in zip(amounts, answers, strict=True) if a.status_code == 409)
