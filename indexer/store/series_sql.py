"""SQL for the time series (transfers, mints, payments by block time): monthly partitions created on demand in
the batch's transaction (native PostgreSQL), nothing to create on TimescaleDB; refresh of the daily views."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import psycopg

from indexer.store.copy_tables import SERIES

SERIES_TABLES = tuple(SERIES)
DAILY_VIEWS = ("chain_transfers_daily", "chain_mints_daily", "chain_payments_daily")


def partition_name(table: str, month: tuple[int, int]) -> str:
    return f"{table}_y{month[0]:04d}m{month[1]:02d}"


def _month_bounds(month: tuple[int, int]) -> tuple[str, str]:
    year, m = month
    upper = (year + 1, 1) if m == 12 else (year, m + 1)
    return f"{year:04d}-{m:02d}-01 00:00:00+00", f"{upper[0]:04d}-{upper[1]:02d}-01 00:00:00+00"


def is_natively_partitioned(cur: psycopg.Cursor) -> bool:
    cur.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = 'chain_transfer_series'::regclass")
    return cur.fetchone() is not None


def ensure_partitions(cur: psycopg.Cursor, table: str, months: Iterable[tuple[int, int]]) -> list[str]:
    """Create the missing monthly partitions of `table` (native mode only); returns the names created."""
    wanted = {partition_name(table, m): m for m in months}
    if not wanted:
        return []
    cur.execute("SELECT n FROM unnest(%s::text[]) AS n WHERE to_regclass(n) IS NULL", (list(wanted),))
    created = [n for (n,) in cur.fetchall()]
    for name in created:
        low, high = _month_bounds(wanted[name])
        cur.execute(f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {table} FOR VALUES FROM ('{low}') TO ('{high}')")
    return created


def copy_series(cur: psycopg.Cursor, table: str, text: str) -> None:
    if text:
        with cur.copy(SERIES[table].copy_sql) as copy:
            copy.write(text)


def delete_series_above(cur: psycopg.Cursor, chain_id: int, number: int, not_before: datetime) -> None:
    """`not_before` (the oldest block time removed) lets PostgreSQL skip older partitions or chunks."""
    for table in SERIES_TABLES:
        cur.execute(
            f"DELETE FROM {table} WHERE chain_id = %s AND block_number > %s AND block_time >= %s",
            (chain_id, number, not_before),
        )


def refresh_daily_views(conn: psycopg.Connection) -> None:
    """Outside any batch: CONCURRENTLY keeps readers unblocked; TimescaleDB's refresh refuses a transaction block."""
    with conn.cursor() as cur:
        native = is_natively_partitioned(cur)
    conn.commit()
    previous = conn.autocommit
    conn.autocommit = True
    try:
        for view in DAILY_VIEWS:
            if native:
                conn.execute(f"REFRESH MATERIALIZED VIEW CONCURRENTLY {view}")
            else:
                conn.execute(f"CALL refresh_continuous_aggregate('{view}', NULL, NULL)")
    finally:
        conn.autocommit = previous
