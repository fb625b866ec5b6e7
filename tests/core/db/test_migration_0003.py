"""Migration 0003 renames the chain mirror to chain_* and keeps every row: a database filled by revision 0002's
indexer upgrades with its data intact, and downgrades back to the old names."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

from core.db.migrate import downgrade, upgrade
from tests.core.db.test_migrations import empty_database  # noqa: F401 - the fixture, shared

REF = "0x" + "aa" * 32
HASH = "0x" + "bb" * 32
TX = "0x" + "cc" * 32
ALICE = "0x" + "01" * 20
BOB = "0x" + "02" * 20
CONTRACT = "0x" + "0a" * 20
WHEN = "2026-01-15 12:00:00+00"
POS = f"7, '{HASH}', '{TX}', 1, '{WHEN}', false"

# Rows as revision 0002's store wrote them (frozen here: today's code writes the new names).
ROWS_0002 = [
    "INSERT INTO chain_events (chain_id, block_hash, log_index, block_number, tx_hash, tx_index, block_time, "
    f"contract, event_name, args, final) VALUES (1, '{HASH}', 1, 7, '{TX}', 0, '{WHEN}', '{CONTRACT}', "
    f"""'PaymentReceived', '{{"amount": "5000000"}}', false)""",
    f"INSERT INTO indexer_blocks VALUES (1, 7, '{HASH}', '{HASH}', '{WHEN}', false)",
    f"INSERT INTO indexer_checkpoints VALUES (1, 7, '{HASH}', 0, '{WHEN}')",
    f"INSERT INTO projects VALUES (1, 1, 1000, 100, 'bafy-one', true, '{BOB}', 7, '{TX}')",
    f"INSERT INTO project_balances VALUES (1, 1, '{ALICE}', 100)",
    "INSERT INTO project_holder_counts VALUES (1, 1, 1)",
    f"INSERT INTO project_exits VALUES (1, 1, '{BOB}', {POS})",
    f"INSERT INTO distributions VALUES (1, 1, 1, 77, '{HASH}', 5, {POS})",
    f"INSERT INTO allowlist VALUES (1, '{ALICE}', true, 7, 1)",
    f"INSERT INTO pause_states VALUES (1, '{CONTRACT}', true, 7, 1)",
    f"INSERT INTO role_members VALUES (1, '{CONTRACT}', '{HASH}', '{ALICE}', true, 7, 1)",
    f"INSERT INTO investment_mints VALUES (1, '{REF}', 1, '{ALICE}', 100, {POS})",
    f"INSERT INTO payments VALUES (1, '{REF}', '{ALICE}', 1, '{CONTRACT}', 5000000, {POS})",
    # The store created monthly partitions on demand with this naming.
    "CREATE TABLE transfer_series_y2026m01 PARTITION OF transfer_series "
    "FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2026-02-01 00:00:00+00')",
    "CREATE TABLE mint_series_y2026m01 PARTITION OF mint_series "
    "FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2026-02-01 00:00:00+00')",
    "CREATE TABLE payment_series_y2026m01 PARTITION OF payment_series "
    "FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2026-02-01 00:00:00+00')",
    f"INSERT INTO transfer_series VALUES (1, '{WHEN}', 7, '{HASH}', 0, 0, '{TX}', '{ALICE}', "
    f"'0x{'00' * 20}', '{ALICE}', 1, 100)",
    f"INSERT INTO mint_series VALUES (1, '{WHEN}', 7, '{HASH}', 1, '{TX}', 1, '{ALICE}', 100, '{REF}')",
    f"INSERT INTO payment_series VALUES (1, '{WHEN}', 7, '{HASH}', 1, '{TX}', 1, '{ALICE}', '{CONTRACT}', "
    f"5000000, '{REF}')",
    "REFRESH MATERIALIZED VIEW transfers_daily",
    "REFRESH MATERIALIZED VIEW mints_daily",
    "REFRESH MATERIALIZED VIEW payments_daily",
]

# old name -> new name, for every relation of the mirror (tables, partitions, materialized views)
RENAMED = {
    "projects": "chain_projects",
    "project_balances": "chain_balances",
    "project_holder_counts": "chain_holder_counts",
    "project_exits": "chain_exits",
    "distributions": "chain_distributions",
    "allowlist": "chain_allowlist",
    "pause_states": "chain_pauses",
    "role_members": "chain_roles",
    "investment_mints": "chain_mints",
    "payments": "chain_payments",
    "indexer_blocks": "chain_blocks",
    "indexer_checkpoints": "chain_checkpoints",
    "transfer_series": "chain_transfer_series",
    "mint_series": "chain_mint_series",
    "payment_series": "chain_payment_series",
    "transfer_series_y2026m01": "chain_transfer_series_y2026m01",
    "mint_series_y2026m01": "chain_mint_series_y2026m01",
    "payment_series_y2026m01": "chain_payment_series_y2026m01",
    "transfers_daily": "chain_transfers_daily",
    "mints_daily": "chain_mints_daily",
    "payments_daily": "chain_payments_daily",
    "chain_events": "chain_events",
}


PROJECT_COLUMNS_0002 = (
    "chain_id, project_id, supply_cap, minted, metadata_cid, exited, community_dao, created_block, created_tx"
)


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def database_0002(empty_database: str) -> Iterator[str]:  # noqa: F811 - pytest fixture chaining
    upgrade(empty_database, "0002")
    with psycopg.connect(_libpq(empty_database), autocommit=True) as conn:
        for statement in ROWS_0002:
            conn.execute(statement)  # type: ignore[arg-type] # literal SQL, built above from constants
    yield empty_database


def _contents(url: str, names: dict[str, str]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every relation, keyed by its old name so that both sides of a rename compare."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with psycopg.connect(_libpq(url)) as conn:
        for old, current in names.items():
            # 0003 adds chain_projects.metadata_cid_raw: the columns of 0002 are compared
            columns = PROJECT_COLUMNS_0002 if old == "projects" else "*"
            only = "ONLY " if "_y2026" in current else ""  # a partition's own rows; a parent's are all its partitions'
            rows = conn.execute(f"SELECT {columns} FROM {only}{current}")  # type: ignore[arg-type] # names above
            out[old] = sorted((tuple(r) for r in rows.fetchall()), key=repr)
    return out


def _relation_names(url: str) -> set[str]:
    """Tables, partitions, views, indexes and constraints of the public schema."""
    with psycopg.connect(_libpq(url)) as conn:
        relations = conn.execute(
            "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = 'public'"
        ).fetchall()
        constraints = conn.execute(
            "SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE nspname = 'public'"
        ).fetchall()
    return {r for (r,) in relations} | {c for (c,) in constraints}


def _as_instants(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A daily view row with its day as an aware UTC instant (0002 stored a naive UTC timestamp)."""
    chain, project, day, *totals = row
    return (chain, project, day if day.tzinfo else day.replace(tzinfo=UTC), *totals)


def test_upgrade_to_0003_keeps_every_row_under_the_chain_names(database_0002: str) -> None:
    before = _contents(database_0002, {old: old for old in RENAMED})
    assert all(before[t] for t in RENAMED), "the fixture fills every relation"
    upgrade(database_0002, "0003")
    after = _contents(database_0002, RENAMED)
    for view in ("transfers_daily", "mints_daily", "payments_daily"):
        # The day column changes type (one type on both paths): the same UTC midnights, the same totals.
        assert [_as_instants(r) for r in after[view]] == [_as_instants(r) for r in before[view]]
        del after[view], before[view]
    assert after == before


def test_upgrade_to_0003_leaves_no_old_name_behind(database_0002: str) -> None:
    upgrade(database_0002, "0003")
    names = _relation_names(database_0002)
    old_names = set(RENAMED) - {"chain_events"}
    leftovers = {
        n
        for n in names
        if any(n == o or n.startswith((f"{o}_", f"pk_{o}", f"ix_{o}_", f"ck_{o}_", f"uq_{o}_")) for o in old_names)
    }
    assert leftovers == set()
    assert {"pk_chain_payments", "ix_chain_payments_chain_id_payment_ref", "uq_chain_transfers_daily_key"} <= names


def test_downgrade_from_0003_gives_back_the_0002_names_and_rows(database_0002: str) -> None:
    before = _contents(database_0002, {old: old for old in RENAMED})
    upgrade(database_0002, "0003")
    downgrade(database_0002, "0002")
    assert _contents(database_0002, {old: old for old in RENAMED}) == before
