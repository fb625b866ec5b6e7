"""The per-investor 12-month limit through the API: what counts (the last 12 months, every project, nothing failed,
cancelled, refunded or left unpaid), the declaration that raises it, and its bad input."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.api.conftest import Api
from tests.api.investments.support import add_project, count, invest, investor, past_investment

FLOOR = 250_000  # $2,500


def _profile(api: Api, headers: dict[str, str], **body: Any) -> Any:
    return api.client.put("/api/v1/users/me/investor-profile", json=body, headers=headers)


def test_without_a_declaration_the_floor_applies_across_projects(invest_api: Api) -> None:
    a = add_project(invest_api.engine, 21, 10**9)
    b = add_project(invest_api.engine, 22, 10**9)
    user, headers = investor(invest_api)
    past_investment(invest_api.engine, user["id"], 21, 200_000)  # $2,000 in another project
    refused = invest(invest_api, headers, b, amount="500.01")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "INVESTMENT_LIMIT_EXCEEDED"
    assert refused.json()["error"]["details"] == {
        "requested_cents": 50_001,
        "limit_cents": FLOOR,
        "used_cents": 200_000,
        "remaining_cents": 50_000,
    }
    assert invest(invest_api, headers, a, amount="500.00").status_code == 201
    assert invest(invest_api, headers, b, amount="10.00").status_code == 409


@pytest.mark.parametrize(
    ("status", "age_days", "reserved_minutes", "counts"),
    [
        ("completed", 10, None, True),
        ("final", 364, None, True),
        ("paid", 1, None, True),
        ("disputed", 1, None, True),
        ("pending_payment", 0, 10, True),  # reserved
        ("pending_payment", 0, -10, False),  # left unpaid past its reservation
        ("failed", 1, None, False),
        ("cancelled", 1, None, False),
        ("refunded", 1, None, False),
        ("completed", 366, None, False),  # older than the window
    ],
)
def test_what_counts_towards_the_limit(
    invest_api: Api, status: str, age_days: int, reserved_minutes: int | None, counts: bool
) -> None:
    project = add_project(invest_api.engine, 23, 10**9)
    user, headers = investor(invest_api)
    past_investment(
        invest_api.engine,
        user["id"],
        23,
        FLOOR,
        status=status,
        age=timedelta(days=age_days),
        reserved_for=None if reserved_minutes is None else timedelta(minutes=reserved_minutes),
    )
    answer = invest(invest_api, headers, project, amount="10.00")
    assert answer.status_code == (409 if counts else 201), answer.text


def test_a_declaration_raises_the_limit_and_shows_what_is_used(invest_api: Api) -> None:
    project = add_project(invest_api.engine, 24, 10**9)
    user, headers = investor(invest_api)
    start = invest_api.client.get("/api/v1/users/me/investor-profile", headers=headers).json()["data"]
    assert start["limit_cents"] == FLOOR and start["declared_at"] is None and start["window_days"] == 365
    # $200,000 income, $150,000 net worth: both at or above $124,000, so 10% of $200,000 = $20,000.
    declared = _profile(invest_api, headers, annual_income_cents=20_000_000, net_worth_cents=15_000_000)
    assert declared.status_code == 200, declared.text
    assert declared.json()["data"]["limit_cents"] == 2_000_000
    assert invest(invest_api, headers, project, amount="19000.00").status_code == 201
    after = invest_api.client.get("/api/v1/users/me/investor-profile", headers=headers).json()["data"]
    assert after["used_cents"] == 1_900_000 and after["remaining_cents"] == 100_000
    assert invest(invest_api, headers, project, amount="1000.01").status_code == 409
    # A new declaration replaces the old one (here: back to the floor, already exceeded).
    assert _profile(invest_api, headers).json()["data"]["remaining_cents"] == 0


def test_the_thresholds_come_from_settings(make_app: Any, clean_db: Any, fake_stripe: Any) -> None:
    from fastapi.testclient import TestClient

    with TestClient(
        make_app(stripe_api_base=fake_stripe.url, api_regcf_floor_cents=5_000), base_url="https://testserver"
    ) as client:
        api = Api(client, clean_db)
        project = add_project(clean_db, 25, 10**9)
        _, headers = investor(api)
        assert invest(api, headers, project, amount="50.01").json()["error"]["code"] == "INVESTMENT_LIMIT_EXCEEDED"
        assert invest(api, headers, project, amount="50.00").status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        {"annual_income_cents": -1},
        {"annual_income_cents": 1.5},
        {"annual_income_cents": "100000"},
        {"net_worth_cents": 10**20},
        {"net_worth_cents": True},
        {"income": 100},
    ],
)
def test_bad_declarations_are_validation_errors_and_store_nothing(invest_api: Api, body: dict[str, Any]) -> None:
    _, headers = investor(invest_api)
    answer = _profile(invest_api, headers, **body)
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "VALIDATION_ERROR"
    assert count(invest_api.engine, "investor_profiles") == 0
