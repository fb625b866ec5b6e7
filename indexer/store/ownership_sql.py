"""SQL for the ownership contract's derived tables: projects, balances and holder counts, exits, distributions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import psycopg

from indexer.fold import BalanceKey
from indexer.rows import DistributionRow, ExitRow, ProjectRow
from indexer.store.cursor import numeric_array

# One statement: the balances move and the holder counts follow the 0 <-> non-zero crossings. Every part of a
# statement sees the same snapshot, so `prev` holds the balances from before they change. UPDATE and INSERT are
# separate (not an upsert) because CHECK constraints judge the proposed row of an upsert, i.e. the bare delta.
APPLY_BALANCE_DELTAS = """
WITH d AS (
    SELECT * FROM unnest(%(projects)s::numeric[], %(holders)s::text[], %(deltas)s::numeric[])
                  AS d(project_id, holder, delta)
), prev AS (
    SELECT d.project_id, d.holder, d.delta, b.balance AS before
    FROM d LEFT JOIN chain_balances b
      ON b.chain_id = %(chain)s AND b.project_id = d.project_id AND b.holder = d.holder
), updated AS (
    UPDATE chain_balances b SET balance = b.balance + p.delta FROM prev p
    WHERE p.before IS NOT NULL AND b.chain_id = %(chain)s AND b.project_id = p.project_id AND b.holder = p.holder
), inserted AS (
    INSERT INTO chain_balances (chain_id, project_id, holder, balance)
    SELECT %(chain)s, project_id, holder, delta FROM prev WHERE before IS NULL
), crossings AS (
    SELECT project_id, sum(CASE WHEN COALESCE(before, 0) = 0 AND COALESCE(before, 0) + delta > 0 THEN 1
                                WHEN before > 0 AND before + delta = 0 THEN -1 ELSE 0 END) AS change
    FROM prev GROUP BY project_id
), counted AS (
    UPDATE chain_holder_counts c SET holders = c.holders + x.change FROM crossings x
    WHERE c.chain_id = %(chain)s AND c.project_id = x.project_id AND x.change <> 0
)
INSERT INTO chain_holder_counts (chain_id, project_id, holders)
SELECT %(chain)s, project_id, change FROM crossings x
WHERE change <> 0
  AND NOT EXISTS (SELECT 1 FROM chain_holder_counts c WHERE c.chain_id = %(chain)s AND c.project_id = x.project_id)
"""


# Emptied balances (and counts) are deleted, so the tables do not depend on how blocks were cut into batches.
DROP_EMPTIED = """
WITH d AS (SELECT * FROM unnest(%(projects)s::numeric[], %(holders)s::text[]) AS d(project_id, holder)),
emptied AS (
    DELETE FROM chain_balances b USING d
    WHERE b.chain_id = %(chain)s AND b.project_id = d.project_id AND b.holder = d.holder AND b.balance = 0
)
DELETE FROM chain_holder_counts c USING (SELECT DISTINCT project_id FROM d) p
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
        """UPDATE chain_projects p SET minted = p.minted + d.delta
           FROM unnest(%s::numeric[], %s::numeric[]) AS d(project_id, delta)
           WHERE p.chain_id = %s AND p.project_id = d.project_id""",
        (numeric_array([k for k, _ in items]), numeric_array([v for _, v in items]), chain_id),
    )


def _insert_rows(cur: psycopg.Cursor, table: str, rows: Sequence[Mapping[str, object]]) -> None:
    """INSERT rows given as column -> value (a row NamedTuple's `_asdict()` and the chain, `final`...)."""
    columns = tuple(rows[0])
    cur.executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(f'%({c})s' for c in columns)})", rows
    )


def insert_projects(cur: psycopg.Cursor, chain_id: int, rows: Sequence[ProjectRow]) -> None:
    if rows:
        _insert_rows(cur, "chain_projects", [{"chain_id": chain_id, **r._asdict()} for r in rows])


def insert_exits(cur: psycopg.Cursor, chain_id: int, rows: Sequence[ExitRow], finalized: int) -> None:
    if not rows:
        return
    _insert_rows(
        cur, "chain_exits", [{"chain_id": chain_id, **r._asdict(), "final": r.block_number <= finalized} for r in rows]
    )
    cur.executemany(
        "UPDATE chain_projects SET exited = true, community_dao = %(community_dao)s "
        "WHERE chain_id = %(chain_id)s AND project_id = %(project_id)s",
        [{"chain_id": chain_id, "community_dao": r.community_dao, "project_id": r.project_id} for r in rows],
    )


def insert_distributions(cur: psycopg.Cursor, chain_id: int, rows: Sequence[DistributionRow], finalized: int) -> None:
    if rows:
        final = [{"chain_id": chain_id, **r._asdict(), "final": r.block_number <= finalized} for r in rows]
        _insert_rows(cur, "chain_distributions", final)


# ----- undo ---------------------------------------------------------------------------------------


def delete_position_rows_above(cur: psycopg.Cursor, table: str, chain_id: int, number: int) -> None:
    """Rows that are one event each (exits, distributions, mints, payments) go with their block."""
    cur.execute(f"DELETE FROM {table} WHERE chain_id = %s AND block_number > %s", (chain_id, number))


def reset_exits(cur: psycopg.Cursor, chain_id: int, project_ids: Sequence[int]) -> None:
    """After undo: a project is exited exactly when an exit row remains for it."""
    cur.execute(
        """UPDATE chain_projects p SET exited = (e.project_id IS NOT NULL), community_dao = e.community_dao
           FROM unnest(%s::numeric[]) AS t(project_id)
           LEFT JOIN chain_exits e ON e.chain_id = %s AND e.project_id = t.project_id
           WHERE p.chain_id = %s AND p.project_id = t.project_id""",
        (numeric_array(list(project_ids)), chain_id, chain_id),
    )


def delete_projects_created_above(cur: psycopg.Cursor, chain_id: int, number: int) -> None:
    cur.execute(
        """WITH gone AS (DELETE FROM chain_projects WHERE chain_id = %(chain)s AND created_block > %(n)s
                         RETURNING project_id),
                b AS (DELETE FROM chain_balances
                      WHERE chain_id = %(chain)s AND project_id IN (SELECT project_id FROM gone))
           DELETE FROM chain_holder_counts
           WHERE chain_id = %(chain)s AND project_id IN (SELECT project_id FROM gone)""",
        {"chain": chain_id, "n": number},
    )


def mark_position_rows_final(cur: psycopg.Cursor, table: str, chain_id: int, after: int, upto: int) -> None:
    cur.execute(
        f"UPDATE {table} SET final = true "
        "WHERE chain_id = %s AND block_number > %s AND block_number <= %s AND NOT final",
        (chain_id, after, upto),
    )
