"""GET /portfolio over the real index: holdings summed across the custodial address and every linked wallet, the
share of each project, value at issue price, frozen units, exits, investments in flight; never another user's."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from core.investments import create_investment, get_investment, set_status
from tests.api.conftest import Api, bearer
from tests.api.portfolio.conftest import HOLDERS, Ledger, catalogue, investor
from tests.api.test_conventions import assert_error
from tests.indexer.synthetic import CHAIN_ID, created, exited, frozen, minted, transfer

ME_CUSTODIAL, ME_WALLET, ME_WALLET_2, OTHER, STRANGER = HOLDERS[:5]


def portfolio(api: Api, token: str) -> dict[str, Any]:
    answer = api.client.get("/api/v1/portfolio", headers=bearer(token))
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    assert body["success"] is True
    return body


def by_token(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {h["token_id"]: h for h in body["data"]["holdings"]}


def test_holdings_sum_the_custodial_address_and_every_linked_wallet(api: Api, ledger: Ledger) -> None:
    me = investor(api, ME_CUSTODIAL, ME_WALLET, ME_WALLET_2)
    catalogue(api.engine, 1, "Sunny Acres", "solar", target_cents=1_000_000)
    ledger.commit([created(1, 1_000_000), created(2, 300)])
    ledger.commit(
        [
            *minted(1, ME_CUSTODIAL, 10_000, ledger.next_ref()),
            *minted(1, ME_WALLET, 2_500, ledger.next_ref()),
            *minted(2, ME_WALLET_2, 100, ledger.next_ref()),
            *minted(1, OTHER, 7_000, ledger.next_ref()),
        ]
    )
    top = ledger.commit([transfer(ME_WALLET, STRANGER, 1, 500)])

    body = portfolio(api, me.token)
    holdings = by_token(body)
    assert set(holdings) == {"1", "2"}
    one = holdings["1"]
    assert (one["name"], one["technology"], one["supply_cap"]) == ("Sunny Acres", "solar", "1000000")
    assert one["balance"] == "12000"  # 10,000 custodial + 2,000 left in the wallet
    assert (one["share"], one["share_exact"]) == ("0.012", True)
    assert (one["value_cents"], Decimal(one["value_dollars"])) == ("12000", Decimal("120.00"))
    assert {(a["address"], a["kind"], a["balance"]) for a in one["addresses"]} == {
        (ME_CUSTODIAL, "custodial", "10000"),
        (ME_WALLET, "wallet", "2000"),
    }
    two = holdings["2"]
    assert two["name"] is None  # on chain, not in the catalogue
    assert (two["share"], two["share_exact"]) == ("0.333333333333333333", False)
    totals = body["data"]["totals"]
    assert (totals["projects"], totals["balance"], Decimal(totals["value_dollars"])) == (2, "12100", Decimal("121.00"))
    assert [a["address"] for a in body["data"]["addresses"]] == [ME_CUSTODIAL, ME_WALLET, ME_WALLET_2]
    meta = body["meta"]
    assert (meta["indexed_block"], meta["block_hash"]) == (top, ledger.block_hash(top))
    assert "finalized_block" in meta


def test_another_users_holdings_never_show(api: Api, ledger: Ledger) -> None:
    me = investor(api, ME_CUSTODIAL)
    other = investor(api, OTHER, ME_WALLET)
    ledger.commit([created(1, 1_000_000)])
    ledger.commit([*minted(1, OTHER, 7_000, ledger.next_ref()), *minted(1, ME_WALLET, 50, ledger.next_ref())])

    mine = portfolio(api, me.token)["data"]
    assert mine["holdings"] == [] and mine["totals"]["balance"] == "0"
    theirs = by_token(portfolio(api, other.token))
    assert theirs["1"]["balance"] == "7050"
    assert ME_CUSTODIAL not in {a["address"] for a in theirs["1"]["addresses"]}


def test_frozen_units_and_exits_show(api: Api, ledger: Ledger) -> None:
    me = investor(api, ME_CUSTODIAL, ME_WALLET)
    ledger.commit([created(1, 1_000_000), created(2, 5_000)])
    ledger.commit([*minted(1, ME_CUSTODIAL, 1_000, ledger.next_ref()), *minted(2, ME_WALLET, 200, ledger.next_ref())])
    ledger.commit([frozen(ME_CUSTODIAL, 1, 300), frozen(ME_WALLET, 2, 900), exited(2, STRANGER)])

    holdings = by_token(portfolio(api, me.token))
    assert (holdings["1"]["frozen"], holdings["1"]["exited"]) == ("300", False)
    # A freeze above the balance holds the whole balance, no more; the address shows the recorded amount.
    assert (holdings["2"]["frozen"], holdings["2"]["exited"]) == ("200", True)
    assert holdings["2"]["addresses"][0]["frozen"] == "900"

    ledger.commit([frozen(ME_CUSTODIAL, 1, 0)])
    assert by_token(portfolio(api, me.token))["1"]["frozen"] == "0"


def test_a_user_without_addresses_or_index_has_an_empty_portfolio(api: Api) -> None:
    me = investor(api, None)
    body = portfolio(api, me.token)
    assert body["data"]["holdings"] == [] and body["data"]["addresses"] == []
    assert body["meta"]["indexed_block"] is None


def test_investments_in_flight_are_listed_as_pending_until_minted(api: Api, ledger: Ledger) -> None:
    me = investor(api, ME_CUSTODIAL, ME_WALLET)
    other = investor(api, OTHER)
    catalogue(api.engine, 1, "Windy Ridge", "wind")
    ledger.commit([created(1, 1_000_000)])
    with Session(api.engine) as session, session.begin():
        card = create_investment(
            session, chain_id=CHAIN_ID, project_id=1, amount_cents=2_500, method="card", user_id=uuid.UUID(me.id)
        )
        crypto = create_investment(
            session, chain_id=CHAIN_ID, project_id=1, amount_cents=1_000, method="crypto", wallet=ME_WALLET
        )
        create_investment(
            session, chain_id=CHAIN_ID, project_id=1, amount_cents=9_900, method="card", user_id=uuid.UUID(other.id)
        )
        set_status(session, crypto, "minting", "test")
        card_id, crypto_id = card.id, crypto.id

    pending = portfolio(api, me.token)["data"]
    assert {(p["id"], p["status"], p["amount_cents"], p["name"]) for p in pending["pending"]} == {
        (str(card_id), "pending_payment", 2_500, "Windy Ridge"),
        (str(crypto_id), "minting", 1_000, "Windy Ridge"),
    }
    assert (pending["totals"]["pending_cents"], Decimal(pending["totals"]["pending_dollars"])) == (3_500, Decimal("35"))

    with Session(api.engine) as session, session.begin():
        found = get_investment(session, crypto_id)
        assert found is not None
        set_status(session, found, "completed", "test")
    assert [p["id"] for p in portfolio(api, me.token)["data"]["pending"]] == [str(card_id)]


def test_the_portfolio_needs_a_valid_token_and_known_parameters(api: Api) -> None:
    assert_error(api.client.get("/api/v1/portfolio"), 401, "NOT_AUTHENTICATED")
    assert_error(api.client.get("/api/v1/portfolio", headers=bearer("not-a-token")), 401, "INVALID_TOKEN")
    me = investor(api, ME_CUSTODIAL)
    answer = api.client.get("/api/v1/portfolio?user_id=someone-else", headers=bearer(me.token))
    assert_error(answer, 400, "UNKNOWN_QUERY_PARAMETER")
    assert_error(api.client.get("/api/v1/returns?page=0", headers=bearer(me.token)), 422, "VALIDATION_ERROR")
    assert_error(api.client.get("/api/v1/returns?per_page=101", headers=bearer(me.token)), 422, "VALIDATION_ERROR")
