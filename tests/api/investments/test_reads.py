"""GET /investments and /investments/{id}: the caller's own only (another user's id reads as missing), newest
first in pages, with the status lifecycle and the mint as the index recorded it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy.orm import Session

from core.investments import get_investment, set_status
from tests.api.conftest import Api
from tests.api.investments.support import add_project, invest, investor


def _ids(answer: Any) -> list[str]:
    return [i["id"] for i in answer.json()["data"]]


def test_the_list_is_the_callers_own_newest_first_in_pages(invest_api: Api) -> None:
    project = add_project(invest_api.engine, 31, 10**9)
    _, mine = investor(invest_api)
    _, theirs = investor(invest_api)
    made = [
        invest(invest_api, mine, project, amount_cents=1_000 + i).json()["data"]["investment"]["id"] for i in range(5)
    ]
    invest(invest_api, theirs, project, amount_cents=1_000)
    first = invest_api.client.get("/api/v1/investments?per_page=2", headers=mine)
    assert first.status_code == 200
    meta = first.json()["meta"]
    assert (meta["total"], meta["pages"], meta["page"], meta["per_page"]) == (5, 3, 1, 2)
    assert "indexed_block" in meta and "finalized_block" in meta
    pages = [_ids(invest_api.client.get(f"/api/v1/investments?per_page=2&page={p}", headers=mine)) for p in (1, 2, 3)]
    assert [i for page in pages for i in page] == list(reversed(made))
    item = first.json()["data"][0]
    assert item["project_id"] == str(project) and item["token_id"] == 31 and item["method"] == "card"


def test_the_detail_shows_the_lifecycle_and_the_mint(invest_api: Api) -> None:
    project = add_project(invest_api.engine, 32, 10**9)
    _, headers = investor(invest_api)
    inv_id = invest(invest_api, headers, project, amount="25.00").json()["data"]["investment"]["id"]
    with Session(invest_api.engine) as session, session.begin():
        inv = get_investment(session, uuid.UUID(inv_id))
        assert inv is not None
        set_status(session, inv, "paid", "evt_test")
        set_status(session, inv, "minting", "intent")
        inv.mint_tx_hash, inv.mint_block = "0x" + "ab" * 32, 1234
        set_status(session, inv, "completed", "indexed")
    answer = invest_api.client.get(f"/api/v1/investments/{inv_id}", headers=headers)
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    assert data["status"] == "completed" and data["mint_tx_hash"] == "0x" + "ab" * 32 and data["mint_block"] == 1234
    assert [(h["from_status"], h["to_status"]) for h in data["history"]] == [
        (None, "pending_payment"),
        ("pending_payment", "paid"),
        ("paid", "minting"),
        ("minting", "completed"),
    ]
    assert data["reserved_until"] is None  # a reservation only means something while unpaid
    assert data["payment"] is None and "client_secret" not in answer.text


def test_another_users_investment_reads_as_missing(invest_api: Api) -> None:
    project = add_project(invest_api.engine, 33, 10**9)
    _, owner = investor(invest_api)
    _, other = investor(invest_api)
    inv_id = invest(invest_api, owner, project, amount="25.00").json()["data"]["investment"]["id"]
    theirs = invest_api.client.get(f"/api/v1/investments/{inv_id}", headers=other)
    missing = invest_api.client.get(f"/api/v1/investments/{uuid.uuid4()}", headers=other)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["error"] == missing.json()["error"]
    assert theirs.json()["error"]["code"] == "INVESTMENT_NOT_FOUND"
    assert _ids(invest_api.client.get("/api/v1/investments", headers=other)) == []


@pytest.mark.parametrize("bad", ["not-a-uuid", "1", "' OR 1=1 --", "%3Cscript%3E"])
def test_an_invalid_id_is_a_validation_error(invest_api: Api, bad: str) -> None:
    _, headers = investor(invest_api)
    answer = invest_api.client.get(f"/api/v1/investments/{bad}", headers=headers)
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "VALIDATION_ERROR"


@pytest.mark.parametrize("query", ["per_page=101", "page=0", "per_page=abc", "sort=evil"])
def test_bad_list_parameters_are_4xx(invest_api: Api, query: str) -> None:
    _, headers = investor(invest_api)
    answer = invest_api.client.get(f"/api/v1/investments?{query}", headers=headers)
    assert 400 <= answer.status_code < 500 and answer.json()["success"] is False


def test_reading_needs_authentication(invest_api: Api) -> None:
    assert invest_api.client.get("/api/v1/investments").status_code == 401
    assert invest_api.client.get(f"/api/v1/investments/{uuid.uuid4()}").status_code == 401
