"""Native time series: monthly partitions appear on demand inside the batch's transaction, rows land in their
month, the daily materialized views add up, and undo reaches across months."""

from __future__ import annotations

from datetime import UTC, datetime
from types import ModuleType

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from core.db.engine import make_session_factory
from core.db.migrate import alembic_config
from indexer.store import apply_live_batch, undo_above
from indexer.store import batch as batch_module
from indexer.store.series_sql import partition_name, refresh_daily_views
from tests.indexer.synthetic import CHAIN_ID, HOLDERS, SyntheticChain, created, minted, paid, ref, transfer

A, B = HOLDERS[:2]
DAY = 86_400


def rows(engine: Engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), {"c": CHAIN_ID}).all()]


def apply(engine: Engine, chain: SyntheticChain, first: int, last: int) -> None:
    with make_session_factory(engine).begin() as session:
        apply_live_batch(session, chain.batch(first, last))


def refresh(engine: Engine) -> None:
    raw = engine.raw_connection()
    try:
        refresh_daily_views(raw.driver_connection)  # type: ignore[arg-type] # psycopg under the pool's wrapper
    finally:
        raw.close()


def months_chain() -> SyntheticChain:
    """Blocks 10 days apart from mid-January 2026: ~4 months of activity."""
    chain = SyntheticChain(seconds_per_block=10 * DAY)
    chain.add_block([created(1, 10**9)])
    for n in range(12):
        chain.add_block([*minted(1, A, 100 + n, ref(n)), transfer(A, B, 1, 7), paid(ref(100 + n), B, 1, 5_000)])
    return chain


def test_monthly_partitions_are_created_on_demand_and_hold_their_month(clean_db: Engine) -> None:
    chain = months_chain()
    apply(clean_db, chain, 1, 6)
    apply(clean_db, chain, 7, 13)
    per_partition = rows(
        clean_db,
        """SELECT tableoid::regclass::text, min(block_time), max(block_time), count(*)
                                       FROM chain_transfer_series WHERE chain_id = :c GROUP BY 1 ORDER BY 1""",
    )
    assert [p for p, *_ in per_partition] == [f"chain_transfer_series_y2026m{m:02d}" for m in range(2, 6)]  # Feb..May
    for name, low, high, _count in per_partition:
        month = int(name[-2:])
        assert low.month == month and high.month == month
    assert sum(c for *_, c in per_partition) == 24
    for table in ("chain_mint_series", "chain_payment_series"):
        assert rows(clean_db, f"SELECT count(*) FROM {table} WHERE chain_id = :c") == [(12,)]


def test_daily_views_refresh_to_the_series_totals(clean_db: Engine) -> None:
    chain = months_chain()
    apply(clean_db, chain, 1, 13)
    refresh(clean_db)
    daily = rows(clean_db, "SELECT day, transfers, volume FROM chain_transfers_daily WHERE chain_id = :c ORDER BY day")
    assert len(daily) == 12 and sum(t for _, t, _ in daily) == 24
    assert sum(v for *_, v in daily) == sum(100 + n for n in range(12)) + 7 * 12
    assert rows(clean_db, "SELECT sum(mints), sum(minted) FROM chain_mints_daily WHERE chain_id = :c") == [
        (12, sum(100 + n for n in range(12)))
    ]
    assert rows(clean_db, "SELECT sum(payments), sum(paid) FROM chain_payments_daily WHERE chain_id = :c") == [
        (12, 60_000)
    ]


def test_undo_reaches_across_months(clean_db: Engine) -> None:
    chain = months_chain()
    apply(clean_db, chain, 1, 13)
    with make_session_factory(clean_db).begin() as session:
        undo_above(session, CHAIN_ID, 4, chain.blocks[3].header.hash)
    assert rows(clean_db, "SELECT count(*), max(block_number) FROM chain_transfer_series WHERE chain_id = :c") == [
        (6, 4)
    ]
    assert rows(clean_db, "SELECT count(*) FROM chain_mint_series WHERE chain_id = :c") == [(3,)]
    assert rows(clean_db, "SELECT count(*) FROM chain_payment_series WHERE chain_id = :c") == [(3,)]


def test_a_partition_created_by_a_failed_batch_goes_with_it(clean_db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    chain = SyntheticChain(seconds_per_block=400 * DAY)  # block 2 lands two years later, in a month of its own
    chain.add_block([created(1, 10)])
    chain.add_block([*minted(1, A, 5, ref(1))])
    apply(clean_db, chain, 1, 1)

    def die_before_commit(*_args: object) -> None:
        raise RuntimeError("the process dies between the rows and the checkpoint")

    monkeypatch.setattr(batch_module.chain_sql, "write_checkpoint", die_before_commit)
    with pytest.raises(RuntimeError, match="dies"):
        apply(clean_db, chain, 2, 2)
    when = datetime.fromtimestamp(chain.blocks[1].header.timestamp, UTC)
    name = partition_name("chain_transfer_series", (when.year, when.month))
    assert rows(clean_db, f"SELECT to_regclass('{name}') IS NULL") == [(True,)]
    assert rows(clean_db, "SELECT count(*) FROM chain_events WHERE chain_id = :c") == [(1,)]

    monkeypatch.undo()
    apply(clean_db, chain, 2, 2)  # the next attempt creates it again
    assert rows(clean_db, f"SELECT count(*) FROM {name}") == [(1,)]


def _migration(revision: str) -> ModuleType:
    return ScriptDirectory.from_config(alembic_config("postgresql://unused")).get_revision(revision).module


def _day_type(engine: Engine, relation: str) -> str:
    [(kind,)] = rows(
        engine,
        f"SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
        f"WHERE attrelid = '{relation}'::regclass AND attname = 'day'",
    )
    return str(kind)


def test_the_day_of_the_daily_views_is_one_type_on_the_native_and_the_timescaledb_path(clean_db: Engine) -> None:
    migration = _migration("0003")
    native = {view: _day_type(clean_db, view) for view in migration.VIEWS}
    assert set(native.values()) == {"timestamp with time zone"}
    # The TimescaleDB path cannot run here: its SELECT runs against a stand-in `time_bucket` with the signature
    # TimescaleDB documents for a timestamptz column (interval, timestamptz) -> timestamptz, named as a fake.
    with clean_db.connect() as conn, conn.begin():
        conn.execute(text("CREATE SCHEMA fake_timescaledb"))
        conn.execute(
            text(
                "CREATE FUNCTION fake_timescaledb.time_bucket(bucket_width interval, ts timestamptz) "
                "RETURNS timestamptz LANGUAGE sql IMMUTABLE "
                "AS $$ SELECT date_bin(bucket_width, ts, TIMESTAMPTZ '2000-01-03 00:00:00+00') $$"
            )
        )
        conn.execute(text("SET LOCAL search_path = public, fake_timescaledb"))
        for view, (table, aggregates) in migration.VIEWS.items():
            sql = migration.daily_view_sql(f"fake_{view}", table, aggregates, timescale=True)
            assert "WITH (timescaledb.continuous)" in sql and sql.endswith(" WITH NO DATA")
            plain = sql.replace(" WITH (timescaledb.continuous)", "").removesuffix(" WITH NO DATA")
            conn.execute(text(plain.replace("MATERIALIZED VIEW", "TEMP VIEW")))
            [(kind,)] = conn.execute(
                text(
                    "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                    f"WHERE attrelid = 'fake_{view}'::regclass AND attname = 'day'"
                )
            ).all()
            assert kind == native[view], view
        conn.rollback()


def test_a_daily_view_day_is_the_utc_midnight_of_its_rows(clean_db: Engine) -> None:
    chain = months_chain()
    apply(clean_db, chain, 1, 3)
    refresh(clean_db)
    days = [d for (d,) in rows(clean_db, "SELECT day FROM chain_mints_daily WHERE chain_id = :c ORDER BY day")]
    expected = [datetime.fromtimestamp(b.header.timestamp, UTC) for b in chain.blocks[1:3]]
    assert days == [e.replace(hour=0, minute=0, second=0) for e in expected]
