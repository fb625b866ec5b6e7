"""chain mirror: raw events, block window, checkpoint, derived state and time series for the indexer

Time series (transfer_series, mint_series, payment_series) become TimescaleDB hypertables with daily continuous
aggregates when the extension can be created here; otherwise they are range-partitioned by month (partitions are
created by the indexer on demand, in the batch transaction) with daily materialized views it refreshes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Hex compares bytewise: collation "C" keeps index comparisons memcmp-cheap whatever the database's locale.
HASH = sa.String(66, collation="C")
ADDRESS = sa.String(42, collation="C")
UINT256 = sa.Numeric(78, 0)
FALSE = sa.text("false")


def _position() -> list[sa.Column[Any]]:
    return [
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("block_hash", HASH, nullable=False),
        sa.Column("tx_hash", HASH, nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("final", sa.Boolean(), server_default=FALSE, nullable=False),
    ]


def _create_mirror_tables() -> None:
    op.create_table(
        "chain_events",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("block_hash", HASH, nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("tx_hash", HASH, nullable=False),
        sa.Column("tx_index", sa.Integer(), nullable=False),
        sa.Column("block_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("contract", ADDRESS, nullable=False),
        sa.Column("event_name", sa.String(64), nullable=False),
        sa.Column("args", JSONB(), nullable=False),
        sa.Column("final", sa.Boolean(), server_default=FALSE, nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "block_hash", "log_index", name="pk_chain_events"),
    )
    op.create_index("ix_chain_events_chain_id_block_number", "chain_events", ["chain_id", "block_number"])
    op.create_table(
        "indexer_blocks",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.Column("hash", HASH, nullable=False),
        sa.Column("parent_hash", HASH, nullable=False),
        sa.Column("block_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("final", sa.Boolean(), server_default=FALSE, nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "number", name="pk_indexer_blocks"),
    )
    op.create_table(
        "indexer_checkpoints",
        sa.Column("chain_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("block_hash", HASH, nullable=False),
        sa.Column("finalized_block", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", name="pk_indexer_checkpoints"),
    )


def _chain() -> sa.Column[Any]:
    return sa.Column("chain_id", sa.BigInteger(), nullable=False)


def _create_ownership_tables() -> None:
    op.create_table(
        "projects",
        _chain(),
        sa.Column("project_id", UINT256, nullable=False),
        sa.Column("supply_cap", UINT256, nullable=False),
        sa.Column("minted", UINT256, server_default=sa.text("0"), nullable=False),
        sa.Column("metadata_cid", sa.Text(), nullable=False),
        sa.Column("exited", sa.Boolean(), server_default=FALSE, nullable=False),
        sa.Column("community_dao", ADDRESS, nullable=True),
        sa.Column("created_block", sa.BigInteger(), nullable=False),
        sa.Column("created_tx", HASH, nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "project_id", name="pk_projects"),
        # The contract guarantees both; a mirror that disagrees must stop rather than serve it.
        sa.CheckConstraint("minted >= 0 AND minted <= supply_cap", name=op.f("ck_projects_minted_within_cap")),
    )
    op.create_table(
        "project_balances",
        _chain(),
        sa.Column("project_id", UINT256, nullable=False),
        sa.Column("holder", ADDRESS, nullable=False),
        sa.Column("balance", UINT256, nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "project_id", "holder", name="pk_project_balances"),
        sa.CheckConstraint("balance >= 0", name=op.f("ck_project_balances_non_negative")),
    )
    op.create_table(
        "project_holder_counts",
        _chain(),
        sa.Column("project_id", UINT256, nullable=False),
        sa.Column("holders", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "project_id", name="pk_project_holder_counts"),
        sa.CheckConstraint("holders >= 0", name=op.f("ck_project_holder_counts_non_negative")),
    )
    op.create_table(
        "project_exits",
        _chain(),
        sa.Column("project_id", UINT256, nullable=False),
        sa.Column("community_dao", ADDRESS, nullable=False),
        *_position(),
        sa.PrimaryKeyConstraint("chain_id", "project_id", name="pk_project_exits"),
    )
    op.create_table(
        "distributions",
        _chain(),
        sa.Column("project_id", UINT256, nullable=False),
        sa.Column("distribution_id", UINT256, nullable=False),
        sa.Column("total_amount", UINT256, nullable=False),
        sa.Column("merkle_root", HASH, nullable=False),
        sa.Column("snapshot_block", UINT256, nullable=False),
        *_position(),
        sa.PrimaryKeyConstraint("chain_id", "project_id", "distribution_id", name="pk_distributions"),
    )
    mirrored: tuple[tuple[str, list[sa.Column[Any]], sa.Column[Any]], ...] = (
        (
            "allowlist",
            [sa.Column("account", ADDRESS, nullable=False)],
            sa.Column("allowed", sa.Boolean(), nullable=False),
        ),
        (
            "pause_states",
            [sa.Column("contract", ADDRESS, nullable=False)],
            sa.Column("paused", sa.Boolean(), nullable=False),
        ),
        (
            "role_members",
            [
                sa.Column("contract", ADDRESS, nullable=False),
                sa.Column("role", HASH, nullable=False),
                sa.Column("account", ADDRESS, nullable=False),
            ],
            sa.Column("granted", sa.Boolean(), nullable=False),
        ),
    )
    for table, key, value in mirrored:
        op.create_table(
            table,
            _chain(),
            *key,
            value,
            sa.Column("block_number", sa.BigInteger(), nullable=False),
            sa.Column("log_index", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("chain_id", *(c.name for c in key), name=f"pk_{table}"),
        )


def _create_investment_tables() -> None:
    op.create_table(
        "investment_mints",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("payment_ref", HASH, nullable=False),
        sa.Column("project_id", UINT256, nullable=False),
        sa.Column("investor", ADDRESS, nullable=False),
        sa.Column("amount", UINT256, nullable=False),
        *_position(),
        sa.PrimaryKeyConstraint("chain_id", "payment_ref", name="pk_investment_mints"),
    )
    op.create_index("ix_investment_mints_chain_id_block_number", "investment_mints", ["chain_id", "block_number"])
    op.create_table(
        "payments",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("payment_ref", HASH, nullable=False),
        sa.Column("payer", ADDRESS, nullable=False),
        sa.Column("project_id", UINT256, nullable=False),
        sa.Column("token", ADDRESS, nullable=False),
        sa.Column("amount", UINT256, nullable=False),
        *_position(),
        sa.PrimaryKeyConstraint("chain_id", "payment_ref", name="pk_payments"),
    )
    op.create_index("ix_payments_chain_id_block_number", "payments", ["chain_id", "block_number"])


# ----- time series --------------------------------------------------------------------------------

SERIES_COLUMNS = {
    "transfer_series": """
        chain_id BIGINT NOT NULL, block_time TIMESTAMPTZ NOT NULL, block_number BIGINT NOT NULL,
        block_hash VARCHAR(66) COLLATE "C" NOT NULL, log_index INTEGER NOT NULL, batch_index INTEGER NOT NULL,
        tx_hash VARCHAR(66) COLLATE "C" NOT NULL, operator VARCHAR(42) COLLATE "C" NOT NULL, from_address VARCHAR(42) COLLATE "C" NOT NULL,
        to_address VARCHAR(42) COLLATE "C" NOT NULL, project_id NUMERIC(78, 0) NOT NULL, amount NUMERIC(78, 0) NOT NULL,
        CONSTRAINT pk_transfer_series PRIMARY KEY (chain_id, block_hash, log_index, batch_index, block_time)""",
    "mint_series": """
        chain_id BIGINT NOT NULL, block_time TIMESTAMPTZ NOT NULL, block_number BIGINT NOT NULL,
        block_hash VARCHAR(66) COLLATE "C" NOT NULL, log_index INTEGER NOT NULL, tx_hash VARCHAR(66) COLLATE "C" NOT NULL,
        project_id NUMERIC(78, 0) NOT NULL, investor VARCHAR(42) COLLATE "C" NOT NULL, amount NUMERIC(78, 0) NOT NULL,
        payment_ref VARCHAR(66) COLLATE "C" NOT NULL,
        CONSTRAINT pk_mint_series PRIMARY KEY (chain_id, block_hash, log_index, block_time)""",
    "payment_series": """
        chain_id BIGINT NOT NULL, block_time TIMESTAMPTZ NOT NULL, block_number BIGINT NOT NULL,
        block_hash VARCHAR(66) COLLATE "C" NOT NULL, log_index INTEGER NOT NULL, tx_hash VARCHAR(66) COLLATE "C" NOT NULL,
        project_id NUMERIC(78, 0) NOT NULL, payer VARCHAR(42) COLLATE "C" NOT NULL, token VARCHAR(42) COLLATE "C" NOT NULL,
        amount NUMERIC(78, 0) NOT NULL, payment_ref VARCHAR(66) COLLATE "C" NOT NULL,
        CONSTRAINT pk_payment_series PRIMARY KEY (chain_id, block_hash, log_index, block_time)""",
}

# view -> (source table, aggregate columns). Grouped by chain, project and UTC day.
DAILY_VIEWS = {
    "transfers_daily": ("transfer_series", "count(*) AS transfers, sum(amount) AS volume"),
    "mints_daily": ("mint_series", "count(*) AS mints, sum(amount) AS minted"),
    "payments_daily": ("payment_series", "count(*) AS payments, sum(amount) AS paid"),
}


def _timescale_enabled() -> bool:
    """True once the extension is installed here; tried in a savepoint since `available` is not `loadable`."""
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'")).first():
        return True
    if not bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'")).first():
        return False
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS timescaledb"))
    except sa.exc.DBAPIError:  # e.g. not in shared_preload_libraries: the native path still works
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def _create_series_native() -> None:
    for table, columns in SERIES_COLUMNS.items():
        op.execute(f"CREATE TABLE {table} ({columns}) PARTITION BY RANGE (block_time)")
        # BRIN: rows arrive in block order, so block ranges per page range are tight; a b-tree here cost every
        # insert of a backfill and only serves the deletes of a reorg (the newest pages).
        op.execute(f"CREATE INDEX ix_{table}_chain_id_block_number ON {table} USING brin (chain_id, block_number)")
    for view, (table, aggregates) in DAILY_VIEWS.items():
        op.execute(
            f"CREATE MATERIALIZED VIEW {view} AS SELECT chain_id, project_id, "
            f"date_trunc('day', block_time AT TIME ZONE 'UTC') AS day, {aggregates} "
            f"FROM {table} GROUP BY chain_id, project_id, day"
        )
        # REFRESH ... CONCURRENTLY needs a unique index; readers are never blocked by a refresh.
        op.execute(f"CREATE UNIQUE INDEX uq_{view}_key ON {view} (chain_id, project_id, day)")


def _create_series_timescale() -> None:
    for table, columns in SERIES_COLUMNS.items():
        op.execute(f"CREATE TABLE {table} ({columns})")
        op.execute(f"CREATE INDEX ix_{table}_chain_id_block_number ON {table} USING brin (chain_id, block_number)")
        op.execute(f"SELECT create_hypertable('{table}', 'block_time', chunk_time_interval => INTERVAL '7 days')")
    for view, (table, aggregates) in DAILY_VIEWS.items():
        op.execute(
            f"CREATE MATERIALIZED VIEW {view} WITH (timescaledb.continuous) AS SELECT chain_id, project_id, "
            f"time_bucket(INTERVAL '1 day', block_time) AS day, {aggregates} "
            f"FROM {table} GROUP BY chain_id, project_id, day WITH NO DATA"
        )
        op.execute(
            f"SELECT add_continuous_aggregate_policy('{view}', start_offset => NULL, "
            f"end_offset => INTERVAL '1 minute', schedule_interval => INTERVAL '5 minutes')"
        )


def upgrade() -> None:
    _create_mirror_tables()
    _create_ownership_tables()
    _create_investment_tables()
    if _timescale_enabled():
        _create_series_timescale()
    else:
        _create_series_native()


def downgrade() -> None:
    for view in DAILY_VIEWS:
        op.execute(f"DROP MATERIALIZED VIEW IF EXISTS {view}")
    for table in SERIES_COLUMNS:
        op.execute(f"DROP TABLE IF EXISTS {table} CASCADE")  # CASCADE: native monthly partitions go with it
    for table in (
        "payments",
        "investment_mints",
        "role_members",
        "pause_states",
        "allowlist",
        "distributions",
        "project_exits",
        "project_holder_counts",
        "project_balances",
        "projects",
        "indexer_checkpoints",
        "indexer_blocks",
        "chain_events",
    ):
        op.drop_table(table)
