"""GET /returns: the ReturnsDistributed distributions of projects the user holds or held at the snapshot, with the
balance and supply at the snapshot block (exact, from the indexed transfers) and a pro-rata estimate."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api, bearer
from tests.api.portfolio.conftest import HOLDERS, Ledger, catalogue, investor
from tests.indexer.synthetic import OWNERSHIP, created, minted, transfer

ME, ME_WALLET, SELLER, LATECOMER, OTHER = HOLDERS[:5]


def distributed(project: int, distribution: int, total: int, snapshot: int) -> tuple[str, str, dict[str, Any]]:
    args = {
        "project_id": project,
        "distribution_id": distribution,
        "total_amount": total,
        "merkle_root": "0x" + "cd" * 32,
        "snapshot_block": snapshot,
    }
    return OWNERSHIP, "ReturnsDistributed", args


def returns(api: Api, token: str, query: str = "") -> dict[str, Any]:
    answer = api.client.get(f"/api/v1/returns{query}", headers=bearer(token))
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def history(ledger: Ledger) -> tuple[int, int]:
    """ME holds 10,000 of 40,000 at block 2, then moves half to their wallet and sells 5,000 at block 3; SELLER
    sells everything before the first snapshot; LATECOMER buys after it."""
    ledger.commit([created(1, 1_000_000), created(2, 1_000)])
    first = ledger.commit(
        [
            *minted(1, ME, 10_000, ledger.next_ref()),
            *minted(1, OTHER, 25_000, ledger.next_ref()),
            *minted(1, SELLER, 5_000, ledger.next_ref()),
            *minted(2, OTHER, 1_000, ledger.next_ref()),
        ]
    )
    ledger.commit([transfer(SELLER, OTHER, 1, 5_000)])  # block 3
    second = ledger.commit(
        [
            transfer(ME, ME_WALLET, 1, 5_000),
            transfer(ME_WALLET, OTHER, 1, 5_000),
            *minted(1, LATECOMER, 4_000, ledger.next_ref()),
        ]
    )
    ledger.commit(
        [distributed(1, 1, 1_000_000, first + 1), distributed(1, 2, 88_000, second), distributed(2, 1, 500, first)]
    )
    return first + 1, second


def test_distributions_estimate_the_share_from_the_balance_at_the_snapshot(api: Api, ledger: Ledger) -> None:
    me = investor(api, ME, ME_WALLET)
    catalogue(api.engine, 1, "Sunny Acres")
    snap_one, snap_two = history(ledger)

    body = returns(api, me.token)
    found = {(d["token_id"], d["distribution_id"]): d for d in body["data"]["distributions"]}
    assert set(found) == {("1", "1"), ("1", "2")}  # never held project 2
    one = found[("1", "1")]
    assert (one["snapshot_block"], one["balance_at_snapshot"], one["supply_at_snapshot"]) == (
        str(snap_one),
        "10000",
        "40000",
    )
    assert one["estimated_amount"] == "250000"  # 1,000,000 x 10,000 / 40,000
    assert one["name"] == "Sunny Acres"
    two = found[("1", "2")]
    # At the second snapshot ME's 10,000 went 5,000 to their own wallet and 5,000 away; the latecomer minted 4,000.
    assert (two["balance_at_snapshot"], two["supply_at_snapshot"], two["estimated_amount"]) == (
        "5000",
        "44000",
        "10000",
    )
    assert body["data"]["totals"] == {"distributions": 2, "estimated_amount": "260000"}
    assert "merkle" in body["data"]["basis"]
    assert body["meta"]["total"] == 2 and body["meta"]["indexed_block"] == len(ledger.chain.blocks)


def test_who_held_at_the_snapshot_or_holds_now_sees_a_distribution(api: Api, ledger: Ledger) -> None:
    seller = investor(api, SELLER)
    latecomer = investor(api, LATECOMER)
    stranger = investor(api, HOLDERS[8])
    history(ledger)

    # Sold everything before both snapshots and holds nothing: not concerned.
    assert returns(api, seller.token)["data"]["distributions"] == []
    # Bought after the first snapshot, at the second: listed, with what it held each time.
    late = {d["distribution_id"]: d for d in returns(api, latecomer.token)["data"]["distributions"]}
    assert (late["1"]["balance_at_snapshot"], late["1"]["estimated_amount"]) == ("0", "0")
    assert (late["2"]["balance_at_snapshot"], late["2"]["estimated_amount"]) == ("4000", "8000")
    assert returns(api, stranger.token)["data"]["totals"] == {"distributions": 0, "estimated_amount": "0"}


def test_returns_come_in_pages_with_totals_over_all(api: Api, ledger: Ledger) -> None:
    me = investor(api, ME, ME_WALLET)
    history(ledger)
    first = returns(api, me.token, "?per_page=1")
    second = returns(api, me.token, "?per_page=1&page=2")
    assert len(first["data"]["distributions"]) == len(second["data"]["distributions"]) == 1
    assert first["data"]["distributions"] != second["data"]["distributions"]
    assert first["meta"]["pages"] == 2 and first["data"]["totals"]["distributions"] == 2
