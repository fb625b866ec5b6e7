"""`chain_claims`, the Distributor's Claimed events as rows: a view over chain_events, so a claim removed by a
reorg leaves the view with it, and the claim re-mined on the new branch shows its new transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from core.distributions.claims import pool_totals
from tests.indexer.synthetic import CHAIN_ID, HOLDERS, SyntheticChain
from tests.indexer.test_store import apply, undo

DISTRIBUTOR = "0x" + "0d" * 20
A, B = HOLDERS[:2]


def _funded(distribution: int, total: int) -> tuple[str, str, dict[str, Any]]:
    args = {
        "distribution_id": distribution,
        "project_id": 1,
        "total": total,
        "merkle_root": "0x" + "ab" * 32,
        "claim_deadline": 2**40,
    }
    return DISTRIBUTOR, "DistributionFunded", args


def _claimed(distribution: int, account: str, amount: int) -> tuple[str, str, dict[str, Any]]:
    return DISTRIBUTOR, "Claimed", {"distribution_id": distribution, "account": account, "amount": amount}


def _claims(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT distribution_id, account, amount, block_number, tx_hash FROM chain_claims ORDER BY 1, 2")
        )
        return [tuple(r) for r in rows]


def test_a_claim_undone_by_a_reorg_leaves_chain_claims_and_the_new_branchs_claim_shows(clean_db: Engine) -> None:
    chain = SyntheticChain()
    chain.add_block([_funded(7, 1_000)])
    chain.add_block([_claimed(7, A, 400)])
    chain.add_block([_claimed(7, B, 600)])
    apply(clean_db, chain.batch(1, 3))
    first = _claims(clean_db)
    assert [(int(d), a, int(m), n) for d, a, m, n, _tx in first] == [(7, A, 400, 2), (7, B, 600, 3)]
    with Session(clean_db) as session:
        pool = pool_totals(session, CHAIN_ID, 7)
    assert (pool.funded, pool.claimed, pool.claims, pool.unclaimed) == (1_000, 1_000, 2, 0)

    undo(clean_db, chain, 1)  # a reorg back to block 1: both claims gone
    assert _claims(clean_db) == []
    with Session(clean_db) as session:
        assert pool_totals(session, CHAIN_ID, 7).unclaimed == 1_000

    other = chain.fork(1, "b")
    other.add_block([])
    other.add_block([_claimed(7, B, 600)])  # only B's claim is mined again, a block later, in another transaction
    apply(clean_db, other.batch(2, 3))
    again = _claims(clean_db)
    assert [(a, n) for _d, a, _m, n, _tx in again] == [(B, 3)]
    assert again[0][4] != first[1][4]
