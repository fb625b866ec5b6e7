"""Reconciliation of distributions, on the index: per funded distribution, funded = claimed + unclaimed (what the
Distributor still holds for it, or the Swept amount after a sweep), and every Claimed event matches a leaf of the
database with the same amount, no leaf claimed twice. Read-only; findings go into reconcile's report."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.distributions.claims import pool_totals
from core.distributions.snapshot import index_position

# (distribution id, block) → (total, claimed) as the Distributor's pool says at that block (the index's: the chain
# may be ahead of it), when the chain can be read.
PoolReader = Callable[[int, int], tuple[int, int]]
KINDS = ("distribution_totals", "claim_without_leaf", "claim_amount_mismatch", "claimed_twice", "funded_mismatch")

Found = tuple[str, str, str]  # (kind, ref, detail)


def reconcile_distributions(session: Session, chain_id: int, pools: PoolReader | None = None) -> list[Found]:
    found: list[Found] = []
    funded = session.execute(
        text("""
            SELECT DISTINCT (args->>'distribution_id')::numeric(78, 0) FROM chain_events
             WHERE chain_id = :c AND event_name = 'DistributionFunded' ORDER BY 1
        """),
        {"c": chain_id},
    ).scalars()
    for distribution_id in [int(d) for d in funded]:
        found += _totals(session, chain_id, distribution_id, pools)
    found += _claims_against_leaves(session, chain_id)
    return found


def _totals(session: Session, chain_id: int, distribution_id: int, pools: PoolReader | None) -> list[Found]:
    ref = f"distribution:{distribution_id}"
    pool = pool_totals(session, chain_id, distribution_id)
    assert pool.funded is not None
    out: list[Found] = []
    if pool.swept is not None and pool.funded != pool.claimed + pool.swept:
        out.append(("distribution_totals", ref, f"funded {pool.funded} != claimed {pool.claimed} + swept {pool.swept}"))
    if pool.claimed > pool.funded:
        out.append(("distribution_totals", ref, f"claimed {pool.claimed} exceeds funded {pool.funded}"))
    position = index_position(session, chain_id)
    if pools is not None and position is not None:
        total, claimed = pools(distribution_id, position.indexed_block)
        if (total, claimed) != (pool.funded, pool.claimed):
            out.append(
                (
                    "distribution_totals",
                    ref,
                    f"the Distributor holds total {total} claimed {claimed}; "
                    f"the index: funded {pool.funded} claimed {pool.claimed}",
                )
            )
    recorded = session.execute(
        text("SELECT total_units, merkle_root FROM distributions WHERE id = :d AND chain_id = :c"),
        {"d": distribution_id, "c": chain_id},
    ).first()
    if recorded is not None and (int(recorded[0]) != pool.funded or recorded[1] != pool.funded_root):
        out.append(
            (
                "funded_mismatch",
                ref,
                f"funded {pool.funded} root {pool.funded_root}; recorded {int(recorded[0])} root {recorded[1]}",
            )
        )
    return out


def _claims_against_leaves(session: Session, chain_id: int) -> list[Found]:
    """Every Claimed against the leaves: one with no leaf (a distribution paid outside the platform, or a wrong
    account), one with another amount, and a leaf claimed more than once."""
    out: list[Found] = []
    rows = session.execute(
        text("""
            SELECT c.distribution_id, c.account, c.amount, c.tx_hash, l.amount_units
              FROM chain_claims c
              LEFT JOIN distributions d ON d.id = c.distribution_id AND d.chain_id = c.chain_id
              LEFT JOIN user_distributions l ON l.distribution_id = d.id AND l.account = c.account
             WHERE c.chain_id = :c
             ORDER BY c.block_number, c.log_index
        """),
        {"c": chain_id},
    ).all()
    for distribution_id, account, amount, tx_hash, leaf_amount in rows:
        ref = f"distribution:{int(distribution_id)}:{account}"
        if leaf_amount is None:
            out.append(("claim_without_leaf", ref, f"Claimed {int(amount)} in {tx_hash} matches no leaf"))
        elif int(leaf_amount) != int(amount):
            out.append(
                ("claim_amount_mismatch", ref, f"Claimed {int(amount)} in {tx_hash}, the leaf says {int(leaf_amount)}")
            )
    twice = session.execute(
        text("""
            SELECT distribution_id, account, count(*) FROM chain_claims WHERE chain_id = :c
             GROUP BY distribution_id, account HAVING count(*) > 1 ORDER BY 1, 2
        """),
        {"c": chain_id},
    ).all()
    for distribution_id, account, count in twice:
        out.append(("claimed_twice", f"distribution:{int(distribution_id)}:{account}", f"{count} Claimed events"))
    return out
