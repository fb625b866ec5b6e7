"""Everything the indexer wrote for one chain, as comparable values: two mirrors are equal when these are."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text

# table -> columns compared (all but bookkeeping timestamps), in a stable order.
TABLES: dict[str, str] = {
    "chain_events": "block_number, block_hash, log_index, tx_hash, tx_index, "
    "block_time, contract, event_name, args, final",
    "chain_projects": "project_id, supply_cap, minted, metadata_cid, "
    "metadata_cid_raw, exited, community_dao, created_block, created_tx",
    "chain_balances": "project_id, holder, balance",
    "chain_holder_counts": "project_id, holders",
    "chain_exits": "project_id, community_dao, block_number, block_hash, tx_hash, log_index, block_time, final",
    "chain_distributions": "project_id, distribution_id, total_amount, merkle_root, "
    "snapshot_block, block_number, block_hash, final",
    "chain_allowlist": "account, allowed, block_number, log_index",
    "chain_pauses": "contract, paused, block_number, log_index",
    "chain_roles": "contract, role, account, granted, block_number, log_index",
    "chain_frozen": "project_id, account, amount, block_number, log_index",
    "chain_mints": "payment_ref, project_id, investor, amount, block_number, block_hash, log_index, final",
    "chain_payments": "payment_ref, payer, project_id, token, amount, block_number, block_hash, log_index, final",
    "chain_transfer_series": "block_time, block_number, block_hash, log_index, batch_index, "
    "operator, from_address, to_address, project_id, amount",
    "chain_mint_series": "block_number, block_hash, log_index, project_id, investor, amount, payment_ref",
    "chain_payment_series": "block_number, block_hash, log_index, project_id, payer, token, amount, payment_ref",
    "chain_checkpoints": "block_number, block_hash, finalized_block",
}


def mirror_state(engine: Engine, chain_id: int, without: tuple[str, ...] = ()) -> dict[str, list[tuple[Any, ...]]]:
    """Rows per table, sorted; `without` drops columns (e.g. `final` when two runs saw different finality)."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table, columns in TABLES.items():
            cols = ", ".join(c for c in (c.strip() for c in columns.split(",")) if c not in without)
            rows = conn.execute(text(f"SELECT {cols} FROM {table} WHERE chain_id = :c"), {"c": chain_id}).all()
            out[table] = sorted((tuple(r) for r in rows), key=repr)
    return out


def balances_consistent(engine: Engine, chain_id: int) -> list[str]:
    """Invariant 2 on the mirror alone: per project, sum of balances = minted <= cap; holder counts agree."""
    problems: list[str] = []
    with engine.connect() as conn:
        rows = conn.execute(
            text("""
            SELECT p.project_id, p.minted, p.supply_cap, COALESCE(b.total, 0), COALESCE(b.holders, 0),
                   COALESCE(h.holders, 0)
            FROM chain_projects p
            LEFT JOIN (SELECT project_id, sum(balance) AS total, count(*) FILTER (WHERE balance > 0) AS holders
                       FROM chain_balances WHERE chain_id = :c GROUP BY project_id) b USING (project_id)
            LEFT JOIN chain_holder_counts h ON h.chain_id = :c AND h.project_id = p.project_id
            WHERE p.chain_id = :c"""),
            {"c": chain_id},
        ).all()
    for project, minted, cap, total, holders, counted in rows:
        if total != minted or minted > cap or holders != counted:
            problems.append(
                f"project {project}: balances {total}, minted {minted}, cap {cap}, holders {holders} counted {counted}"
            )
    return problems
