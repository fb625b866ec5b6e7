"""POST /investments: who may invest, how much, in what; the card path against the FAKE Stripe server; every refusal
is a 4xx (or Stripe's 502) in the envelope with its code, and leaves nothing stored."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.investments.payments import create_payment_intent, idempotency_key
from core.models import Investment
from core.stripe.client import stripe_client
from core.stripe.metadata import InvestmentMetadata
from core.stripe.settings import LOCAL_FAKE_PUBLISHABLE_KEY
from terra.local.anvil import free_port
from tests.api.conftest import Api, api_settings
from tests.api.investments.support import add_project, count, invest, investor

TOKEN = 7


def _error(answer: Any, status: int, code: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    body: dict[str, Any] = answer.json()
    assert body["success"] is False and body["error"]["code"] == code
    return body["error"]


def test_investing_needs_a_verified_kyc_and_stores_nothing_without(invest_api: Api) -> None:
    project = add_project(invest_api.engine, TOKEN, 100_000)
    _, headers = investor(invest_api, kyc=False)
    _error(invest(invest_api, headers, project, amount="25.00"), 403, "KYC_REQUIRED")
    assert count(invest_api.engine, "investments") == 0


def test_a_card_investment_creates_a_payment_intent_on_stripe_with_the_investment_in_its_metadata(
    invest_api: Api, fake_stripe: Any
) -> None:
    project = add_project(invest_api.engine, TOKEN, 100_000)
    user, headers = investor(invest_api)
    answer = invest(invest_api, headers, project, amount="25.00")
    assert answer.status_code == 201, answer.text
    data = answer.json()["data"]
    inv, pay = data["investment"], data["payment"]
    assert inv["amount_cents"] == 2500 and inv["amount"] == "25.00" and inv["status"] == "pending_payment"
    assert inv["project_id"] == str(project) and inv["token_id"] == TOKEN and inv["reserved_until"] is not None
    assert pay["method"] == "card" and pay["publishable_key"] == LOCAL_FAKE_PUBLISHABLE_KEY
    assert pay["client_secret"].startswith(pay["payment_intent_id"] + "_secret_")

    # The intent as Stripe holds it: read back through the SDK from the fake's own ledger.
    client = stripe_client(api_settings(stripe_api_base=fake_stripe.url))
    intent = client.v1.payment_intents.retrieve(pay["payment_intent_id"])
    assert intent.amount == 2500 and intent.currency == "usd"
    meta = InvestmentMetadata.from_metadata(intent.metadata.to_dict())
    assert meta.investment_id == uuid.UUID(inv["id"]) and meta.payment_ref == inv["payment_ref"]
    assert meta.project_id == TOKEN
    with Session(invest_api.engine) as session:
        stored = session.get(Investment, uuid.UUID(inv["id"]))
        assert stored is not None and stored.stripe_payment_intent_id == pay["payment_intent_id"]
        assert str(stored.investor_user_id) == user["id"] and stored.method == "card"


def test_the_payment_intent_is_created_once_per_investment_however_often_the_request_is_retried(
    invest_api: Api, fake_stripe: Any
) -> None:
    project = add_project(invest_api.engine, TOKEN, 100_000)
    _, headers = investor(invest_api)
    data = invest(invest_api, headers, project, amount_cents=1500).json()["data"]
    with Session(invest_api.engine) as session:
        stored = session.get(Investment, uuid.UUID(data["investment"]["id"]))
        assert stored is not None
        client = stripe_client(api_settings(stripe_api_base=fake_stripe.url))
        again = create_payment_intent(client, stored)
    assert idempotency_key(stored).endswith(str(stored.id))
    assert again.payment_intent_id == data["payment"]["payment_intent_id"]


def test_dollars_and_cents_are_the_same_exact_amount(invest_api: Api) -> None:
    project = add_project(invest_api.engine, TOKEN, 100_000)
    _, headers = investor(invest_api)
    a = invest(invest_api, headers, project, amount="12.3").json()["data"]["investment"]
    b = invest(invest_api, headers, project, amount_cents=1230).json()["data"]["investment"]
    assert a["amount_cents"] == b["amount_cents"] == 1230 and a["amount"] == b["amount"] == "12.30"


@pytest.mark.parametrize(
    "body",
    [
        {"amount": 25.5},  # a JSON float
        {"amount_cents": 2500.0},
        {"amount_cents": "2500"},
        {"amount_cents": True},
        {"amount": "25.001"},
        {"amount": "-25.00"},
        {"amount": "1e3"},
        {"amount": " 25"},
        {"amount": "25,00"},
        {"amount": "NaN"},
        {"amount": "9" * 40},
        {"amount_cents": 10**30},
        {"amount_cents": 0},
        {"amount_cents": -1000},
        {},  # no amount
        {"amount": "25.00", "amount_cents": 2500},  # both
        {"amount": "25.00", "method": "paypal"},
        {"amount": "25.00", "method": None},
        {"amount": "25.00", "wallet": "0x" + "ab" * 20},  # a wallet on a card investment
        {"amount": "25.00", "project_id": "not-a-uuid"},
        {"amount": "25.00", "project_id": 7},
        {"amount": "25.00", "extra": "'; DROP TABLE investments; --"},
        {"amount": "25.00", "method": "crypto", "wallet": "<script>alert(1)</script>"},
    ],
)
def test_bad_bodies_are_validation_errors_that_store_nothing(invest_api: Api, body: dict[str, Any]) -> None:
    project = add_project(invest_api.engine, TOKEN, 100_000)
    _, headers = investor(invest_api)
    payload = {"project_id": str(project), "method": "card"} | body
    answer = invest_api.client.post("/api/v1/investments", json=payload, headers=headers)
    _error(answer, 422, "VALIDATION_ERROR")
    assert count(invest_api.engine, "investments") == 0


def test_below_the_projects_minimum_is_refused_with_the_minimum(invest_api: Api) -> None:
    project = add_project(invest_api.engine, TOKEN, 100_000, min_cents=5_000)
    _, headers = investor(invest_api)
    error = _error(invest(invest_api, headers, project, amount="49.99"), 422, "BELOW_MINIMUM_INVESTMENT")
    assert error["details"] == {"minimum_cents": 5_000, "requested_cents": 4_999}
    assert invest(invest_api, headers, project, amount="50.00").status_code == 201


def test_the_platform_minimum_of_ten_dollars_holds_whatever_the_project_says(invest_api: Api) -> None:
    project = add_project(invest_api.engine, TOKEN, 100_000, min_cents=1_000)
    _, headers = investor(invest_api)
    _error(invest(invest_api, headers, project, amount="9.99"), 422, "BELOW_MINIMUM_INVESTMENT")
    assert count(invest_api.engine, "investments") == 0


def test_unknown_projects_and_projects_not_open_are_refused(invest_api: Api) -> None:
    _, headers = investor(invest_api)
    _error(invest(invest_api, headers, uuid.uuid4(), amount="25.00"), 404, "PROJECT_NOT_FOUND")
    not_on_chain = add_project(invest_api.engine, 8, 100_000, on_chain=False)
    _error(invest(invest_api, headers, not_on_chain, amount="25.00"), 409, "PROJECT_NOT_OPEN")
    exited = add_project(invest_api.engine, 9, 100_000, exited=True)
    _error(invest(invest_api, headers, exited, amount="25.00"), 409, "PROJECT_NOT_OPEN")
    assert count(invest_api.engine, "investments") == 0


def test_without_authentication_nothing_happens(invest_api: Api) -> None:
    project = add_project(invest_api.engine, TOKEN, 100_000)
    answer = invest_api.client.post(
        "/api/v1/investments", json={"project_id": str(project), "method": "card", "amount": "25.00"}
    )
    _error(answer, 401, "NOT_AUTHENTICATED")


def test_stripe_unreachable_is_a_502_and_leaves_neither_investment_nor_reservation(
    make_app: Any, clean_db: Engine, fake_stripe: Any
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with TestClient(make_app(stripe_api_base=dead), base_url="https://testserver") as client:
        api = Api(client, clean_db)
        project = add_project(clean_db, TOKEN, 2_000)
        _, headers = investor(api)
        _error(invest(api, headers, project, amount="20.00"), 502, "PAYMENT_PROVIDER_UNAVAILABLE")
        assert count(clean_db, "investments") == 0 and count(clean_db, "investment_status_history") == 0
    # The whole capacity is still there once Stripe answers again (no reservation was kept).
    with TestClient(make_app(stripe_api_base=fake_stripe.url), base_url="https://testserver") as client:
        assert invest(Api(client, clean_db), headers, project, amount="20.00").status_code == 201


def test_created_investments_are_counted_in_the_seeds_metrics(invest_api: Api) -> None:
    project = add_project(invest_api.engine, 4242, 100_000)
    _, headers = investor(invest_api)

    def counted() -> float:
        text = invest_api.client.get("/metrics").text
        for line in text.splitlines():
            if line.startswith("terralumina_investments_total{") and 'project_id="4242"' in line and '"card"' in line:
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    before = counted()
    assert invest(invest_api, headers, project, amount="30.00").status_code == 201
    _error(invest(invest_api, headers, project, amount="5.00"), 422, "BELOW_MINIMUM_INVESTMENT")
    assert counted() == before + 1


def test_a_stripe_that_never_answers_is_a_502_after_the_configured_timeout_and_stores_nothing(
    make_app: Any, clean_db: Engine
) -> None:
    import socket

    with socket.socket() as silent:  # accepts connections (the kernel's backlog) and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        base = f"http://127.0.0.1:{silent.getsockname()[1]}"
        app = make_app(stripe_api_base=base, api_stripe_timeout_seconds=0.5)
        with TestClient(app, base_url="https://testserver") as client:
            api = Api(client, clean_db)
            project = add_project(clean_db, TOKEN, 100_000)
            _, headers = investor(api)
            _error(invest(api, headers, project, amount="20.00"), 502, "PAYMENT_PROVIDER_UNAVAILABLE")
    assert count(clean_db, "investments") == 0
