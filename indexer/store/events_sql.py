"""SQL for `chain_events`: bulk insert through COPY into a staging table, then ON CONFLICT DO NOTHING."""

from __future__ import annotations

from collections.abc import Sequence

import psycopg

from indexer.records import EventRecord, stored_args

COLUMNS = (
    "chain_id, block_hash, log_index, block_number, tx_hash, tx_index, block_time, contract, event_name, args, final"
)

# Per connection, emptied at every commit: COPY cannot say ON CONFLICT, the INSERT ... SELECT after it can.
STAGE_DDL = (
    "CREATE TEMP TABLE IF NOT EXISTS stage_chain_events (LIKE chain_events INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
)


def _copy(cur: psycopg.Cursor, table: str, text: str) -> None:
    with cur.copy(f"COPY {table} ({COLUMNS}) FROM STDIN") as copy:
        copy.write(text)


def copy_events(cur: psycopg.Cursor, text: str) -> None:
    """COPY rendered rows straight into `chain_events`: for events known to be new (above the locked checkpoint)."""
    if text:
        _copy(cur, "chain_events", text)


def insert_events(cur: psycopg.Cursor, text: str, count: int) -> set[tuple[int, int]] | None:
    """Insert rendered rows, skipping those already stored; None when all `count` were new, else the
    (block number, log index) of those that were."""
    if not count:
        return None
    cur.execute(STAGE_DDL)
    _copy(cur, "stage_chain_events", text)
    cur.execute(
        f"INSERT INTO chain_events ({COLUMNS}) SELECT {COLUMNS} FROM stage_chain_events "
        "ON CONFLICT DO NOTHING RETURNING block_number, log_index"
    )
    if cur.rowcount == count:
        return None  # the common case: nothing to fetch, the rows stay in libpq's buffer
    return {(n, i) for n, i in cur.fetchall()}


def delete_events_above(cur: psycopg.Cursor, chain_id: int, number: int) -> list[EventRecord]:
    """Delete and return (in chain order) every event above block `number`."""
    cur.execute(
        """DELETE FROM chain_events WHERE chain_id = %s AND block_number > %s
           RETURNING block_number, block_hash, log_index, tx_hash, tx_index, block_time, contract, event_name, args""",
        (chain_id, number),
    )
    rows = sorted(cur.fetchall(), key=lambda row: (row[0], row[2]))
    return [EventRecord(*row[:-1], stored_args(row[-1])) for row in rows]


def mark_events_final(cur: psycopg.Cursor, chain_id: int, after: int, upto: int) -> None:
    cur.execute(
        "UPDATE chain_events SET final = true "
        "WHERE chain_id = %s AND block_number > %s AND block_number <= %s AND NOT final",
        (chain_id, after, upto),
    )


def latest_events(
    cur: psycopg.Cursor, chain_id: int, names: Sequence[str], key_sql: str, keys: Sequence[str]
) -> list[tuple[str, str, dict, int, int]]:
    """Per key (a SQL expression over a row, e.g. `args->>'account'`), the newest remaining event among `names`:
    (key, event name, args, block number, log index). Reorg-only path, so no dedicated index."""
    cur.execute(
        f"""SELECT DISTINCT ON (k) k, event_name, args, block_number, log_index
            FROM (SELECT {key_sql} AS k, * FROM chain_events WHERE chain_id = %s AND event_name = ANY(%s)) e
            WHERE k = ANY(%s) ORDER BY k, block_number DESC, log_index DESC""",
        (chain_id, list(names), list(keys)),
    )
    return list(cur.fetchall())
