"""SQL for `chain_events`: bulk insert through COPY into a staging table, then ON CONFLICT DO NOTHING."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import psycopg
from psycopg.rows import dict_row

from indexer.records import EventRecord, stored_args
from indexer.store.copy_tables import EVENTS

COLUMNS = EVENTS.column_list()

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


# The record's fields as stored: `name` is the event_name column.
_RECORD_COLUMNS = ", ".join("event_name AS name" if f == "name" else f for f in EventRecord._fields)


def delete_events_above(cur: psycopg.Cursor, chain_id: int, number: int) -> list[EventRecord]:
    """Delete and return (in chain order) every event above block `number`."""
    with cur.connection.cursor(row_factory=dict_row) as named:
        named.execute(
            f"DELETE FROM chain_events WHERE chain_id = %s AND block_number > %s RETURNING {_RECORD_COLUMNS}",
            (chain_id, number),
        )
        rows = sorted(named.fetchall(), key=lambda row: (row["block_number"], row["log_index"]))
    return [EventRecord(**{**row, "args": stored_args(row["args"])}) for row in rows]


def mark_events_final(cur: psycopg.Cursor, chain_id: int, after: int, upto: int) -> None:
    cur.execute(
        "UPDATE chain_events SET final = true "
        "WHERE chain_id = %s AND block_number > %s AND block_number <= %s AND NOT final",
        (chain_id, after, upto),
    )


class LatestEvent(NamedTuple):
    key: str
    event_name: str
    args: dict[str, Any]
    block_number: int
    log_index: int


_LATEST_COLUMNS = ", ".join("k AS key" if f == "key" else f for f in LatestEvent._fields)


def latest_events(
    cur: psycopg.Cursor, chain_id: int, names: Sequence[str], key_sql: str, keys: Sequence[str]
) -> list[LatestEvent]:
    """Per key (a SQL expression over a row, e.g. `args->>'account'`), the newest remaining event among `names`.
    Reorg-only path, so no dedicated index."""
    cur.execute(
        f"""SELECT DISTINCT ON (k) {_LATEST_COLUMNS}
            FROM (SELECT {key_sql} AS k, * FROM chain_events WHERE chain_id = %s AND event_name = ANY(%s)) e
            WHERE k = ANY(%s) ORDER BY k, block_number DESC, log_index DESC""",
        (chain_id, list(names), list(keys)),
    )
    return [LatestEvent(*row) for row in cur.fetchall()]
