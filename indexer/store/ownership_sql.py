"""SQL for the ownership contract's derived tables: projects, balances and holder counts, exits, distributions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import psycopg

from indexer.fold import BalanceKey
from indexer.store.cursor import numeric_array

# One statement: the balances move and the holder counts follow the 0 <-> non-zero crossings. Every part of a
# statement sees the same snapshot, so `prev` holds the balances from before they change. UPDATE and INSERT are
# separate (not an upsert) because CHECK constraints judge the proposed row of an upsert, i.e. the bare delta.
APPLY_BALANCE_DELTAS = """
WITH d AS (
    SELECT * FROM unnest(%(projects)s::numeric[], %(holders)s::text[], %(deltas)s::numeric[]) AS d(project_id, holder, delta)
), prev AS (
    SELECT d.project_id, d.holder, d.delta, b.balance AS before
    FROM d LEFT JOIN project_balances b
      ON b.chain_id = %(chain)s AND b.project_id = d.project_id AND b.holder = d.holder
), updated AS (
    UPDATE project_balances b SET balance = b.balance + p.delta FROM prev p
    WHERE p.before IS NOT NULL AND b.chain_id = %(chain)s AND b.project_id = p.project_id AND b.holder = p.holder
), inserted AS (
    INSERT INTO project_balances (chain_id, project_id, holder, balance)
    SELECT %(chain)s, project_id, holder, delta FROM prev WHERE before IS NULL
), crossings AS (
    SELECT project_id, sum(CASE WHEN COALESCE(before, 0) = 0 AND COALESCE(before, 0) + delta > 0 THEN 1
                                WHEN before > 0 AND before + delta = 0 THEN -1 ELSE 0 END) AS change
    FROM prev GROUP BY project_id
), counted AS (
    UPDATE project_holder_counts c SET holders = c.holders + x.change FROM crossings x
    WHERE c.chain_id = %(chain)s AND c.project_id = x.project_id AND x.change <> 0
)
INSERT INTO project_holder_counts (chain_id, project_id, holders)
SELECT %(chain)s, project_id, change FROM crossings x
WHERE change <> 0
  AND NOT EXISTS (SELECT 1 FROM project_holder_counts c WHERE c.chain_id = %(chain)s AND c.project_id = x.project_id)
"""


# Emptied balances (and counts) are deleted, so the tables do not depend on how blocks were cut into batches.
DROP_EMPTIED = """
WITH d AS (SELECT * FROM unnest(%(projects)s::numeric[], %(holders)s::text[]) AS d(project_id, holder)),
emptied AS (
    DELETE FROM project_balances b USING d
    WHERE b.chain_id = %(chain)s AND b.project_id = d.project_id AND b.holder = d.holder AND b.balance = 0
)
DELETE FROM project_holder_counts c USING (SELECT DISTINCT project_id FROM d) p
WHERE c.chain_id = %(chain)s AND c.project_id = p.project_id AND c.holders = 0
"""


def apply_balance_deltas(cur: psycopg.Cursor, chain_id: int, deltas: Mapping[BalanceKey, int]) -> None:
    items = [(k, v) for k, v in deltas.items() if v]
    if not items:
        return
    params = {
        "chain": chain_id,
        "projects": numeric_array([k[0] for k, _ in items]),
        "holders": [k[1] for k, _ in items],
        "deltas": numeric_array([v for _, v in items]),
    }
    cur.execute(APPLY_BALANCE_DELTAS, params)
    cur.execute(DROP_EMPTIED, params)


def apply_supply_deltas(cur: psycopg.Cursor, chain_id: int, deltas: Mapping[int, int]) -> None:
    items = [(k, v) for k, v in deltas.items() if v]
    if not items:
        return
    cur.execute(
        """UPDATE projects p SET minted = p.minted + d.delta
           FROM unnest(%s::numeric[], %s::numeric[]) AS d(project_id, delta)
           WHERE p.chain_id = %s AND p.project_id = d.project_id""",
        (numeric_array([k for k, _ in items]), numeric_array([v for _, v in items]), chain_id),
    )


def insert_projects(cur: psycopg.Cursor, chain_id: int, rows: Sequence[tuple[Any, ...]]) -> None:
    if rows:
        cur.executemany(
            """INSERT INTO projects (chain_id, project_id, supply_cap, metadata_cid, created_block, created_tx)
               VALUES (%s, %s, %s, %s, %s, %s)""",
            [(chain_id, *r) for r in rows],
        )


POSITION = "block_number, block_hash, tx_hash, log_index, block_time, final"


def insert_exits(cur: psycopg.Cursor, chain_id: int, rows: Sequence[tuple[Any, ...]], finalized: int) -> None:
    if not rows:
        return
    cur.executemany(
        f"INSERT INTO project_exits (chain_id, project_id, community_dao, {POSITION}) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        [(chain_id, *r, r[2] <= finalized) for r in rows],
    )
    cur.executemany(
        "UPDATE projects SET exited = true, community_dao = %s WHERE chain_id = %s AND project_id = %s",
        [(r[1], chain_id, r[0]) for r in rows],
    )


def insert_distributions(cur: psycopg.Cursor, chain_id: int, rows: Sequence[tuple[Any, ...]], finalized: int) -> None:
    if rows:
        cur.executemany(
            "INSERT INTO distributions (chain_id, project_id, distribution_id, total_amount, merkle_root, "
            f"snapshot_block, {POSITION}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [(chain_id, *r, r[5] <= finalized) for r in rows],
        )


# ----- undo ---------------------------------------------------------------------------------------


def delete_position_rows_above(cur: psycopg.Cursor, table: str, chain_id: int, number: int) -> None:
    """Rows that are one event each (exits, distributions, mints, payments) go with their block."""
    cur.execute(f"DELETE FROM {table} WHERE chain_id = %s AND block_number > %s", (chain_id, number))


def reset_exits(cur: psycopg.Cursor, chain_id: int, project_ids: Sequence[int]) -> None:
    """After undo: a project is exited exactly when an exit row remains for it."""
    cur.execute(
        """UPDATE projects p SET exited = (e.project_id IS NOT NULL), community_dao = e.community_dao
           FROM unnest(%s::numeric[]) AS t(project_id)
           LEFT JOIN project_exits e ON e.chain_id = %s AND e.project_id = t.project_id
           WHERE p.chain_id = %s AND p.project_id = t.project_id""",
        (numeric_array(list(project_ids)), chain_id, chain_id),
    )


def delete_projects_created_above(cur: psycopg.Cursor, chain_id: int, number: int) -> None:
    cur.execute(
        """WITH gone AS (DELETE FROM projects WHERE chain_id = %(chain)s AND created_block > %(n)s RETURNING project_id),
                b AS (DELETE FROM project_balances WHERE chain_id = %(chain)s AND project_id IN (SELECT project_id FROM gone))
           DELETE FROM project_holder_counts WHERE chain_id = %(chain)s AND project_id IN (SELECT project_id FROM gone)""",
        {"chain": chain_id, "n": number},
    )


def mark_position_rows_final(cur: psycopg.Cursor, table: str, chain_id: int, after: int, upto: int) -> None:
    cur.execute(
        f"UPDATE {table} SET final = true WHERE chain_id = %s AND block_number > %s AND block_number <= %s AND NOT final",
        (chain_id, after, upto),
    )
