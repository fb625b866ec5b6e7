"""Who held a project at a block, from the index: balances folded from the mirrored transfers up to that block.

Only final blocks are asked for (the recorder checks it first), so the rows read here can no longer change: a
reorg below a final block is what finality rules out, and the indexer halts rather than apply one.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

ZERO_ADDRESS = "0x" + "0" * 40


@dataclass(frozen=True)
class IndexPosition:
    indexed_block: int
    finalized_block: int


def index_position(session: Session, chain_id: int) -> IndexPosition | None:
    row = session.execute(
        text("SELECT block_number, finalized_block FROM chain_checkpoints WHERE chain_id = :c"), {"c": chain_id}
    ).first()
    return None if row is None else IndexPosition(int(row[0]), int(row[1]))


def balances_at(session: Session, chain_id: int, token_id: int, block: int) -> dict[str, int]:
    """holder → units of `token_id` held at the end of `block` (holders with nothing left out)."""
    rows = session.execute(
        text("""
            SELECT holder, sum(delta) AS balance FROM (
                SELECT to_address AS holder, amount AS delta FROM chain_transfer_series
                 WHERE chain_id = :c AND project_id = :p AND block_number <= :b
                UNION ALL
                SELECT from_address, -amount FROM chain_transfer_series
                 WHERE chain_id = :c AND project_id = :p AND block_number <= :b
            ) moves
            WHERE holder <> :zero
            GROUP BY holder
            HAVING sum(delta) > 0
        """),
        {"c": chain_id, "p": token_id, "b": block, "zero": ZERO_ADDRESS},
    ).all()
    return {str(holder): int(balance) for holder, balance in rows}


def owners(session: Session, addresses: list[str]) -> dict[str, tuple[str, object]]:
    """address → ("custodial" | "wallet", user id or None): whose each address is, where the platform knows."""
    found: dict[str, tuple[str, object]] = {a: ("wallet", None) for a in addresses}
    if not addresses:
        return found
    for address, user_id in session.execute(
        text("SELECT address, user_id FROM user_wallets WHERE address = ANY(:a)"), {"a": addresses}
    ).all():
        found[str(address)] = ("wallet", user_id)
    for address, user_id in session.execute(
        text("SELECT address, user_id FROM custodial_accounts WHERE address = ANY(:a)"), {"a": addresses}
    ).all():
        found[str(address)] = ("custodial", user_id)
    return found
