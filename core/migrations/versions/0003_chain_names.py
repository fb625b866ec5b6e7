"""chain mirror under chain_* names; payments keyed by (ref, payer); raw metadata bytes; one `day` type

Every table of the mirror, its monthly partitions and its daily views are renamed to chain_*, with the primary keys,
indexes and constraints whose names embed the table (rows are kept: renames only). The API's catalogue and the
relayer's payments get the plain names later.
- chain_payments is keyed by (chain_id, payment_ref, payer): PaymentRouter binds a reference to its payer, so two
  payers may each use a reference once; an index on (chain_id, payment_ref) keeps lookups by reference.
- chain_projects.metadata_cid_raw keeps the exact bytes of a metadata string PostgreSQL text cannot hold.
- The daily views' `day` is a UTC midnight as timestamptz on both paths: TimescaleDB's time_bucket over a
  timestamptz column gives that type (a cast to date is not immutable, which continuous aggregates refuse), and the
  native views are recreated with date_trunc(..., 'UTC'), which gives the same (0002 gave a naive timestamp there).
- chain_deployments.recorded_at NOT NULL, as its model always said.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = {
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
}
SERIES = {
    "transfer_series": "chain_transfer_series",
    "mint_series": "chain_mint_series",
    "payment_series": "chain_payment_series",
}
# view name -> (series table, aggregate columns), before and after
VIEWS_0002 = {
    "transfers_daily": ("transfer_series", "count(*) AS transfers, sum(amount) AS volume"),
    "mints_daily": ("mint_series", "count(*) AS mints, sum(amount) AS minted"),
    "payments_daily": ("payment_series", "count(*) AS payments, sum(amount) AS paid"),
}
VIEWS = {f"chain_{view}": (SERIES[table], aggregates) for view, (table, aggregates) in VIEWS_0002.items()}

# The one expression per path for a row's UTC day; both are timestamptz (the test checks them against each other).
DAY_NATIVE = "date_trunc('day', block_time, 'UTC')"
DAY_TIMESCALE = "time_bucket(INTERVAL '1 day', block_time)"
DAY_0002 = "date_trunc('day', block_time AT TIME ZONE 'UTC')"


def daily_view_sql(view: str, table: str, aggregates: str, timescale: bool, day: str | None = None) -> str:
    """The CREATE statement of one daily view on either path."""
    select = (
        f"SELECT chain_id, project_id, {day or (DAY_TIMESCALE if timescale else DAY_NATIVE)} AS day, {aggregates} "
        f"FROM {table} GROUP BY chain_id, project_id, day"
    )
    if timescale:
        return f"CREATE MATERIALIZED VIEW {view} WITH (timescaledb.continuous) AS {select} WITH NO DATA"
    return f"CREATE MATERIALIZED VIEW {view} AS {select}"


def _is_timescale() -> bool:
    """The path 0002 took: TimescaleDB when transfer_series became a hypertable."""
    bind = op.get_bind()
    if not bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'")).first():
        return False
    return bool(
        bind.execute(
            sa.text(
                "SELECT 1 FROM timescaledb_information.hypertables "
                "WHERE hypertable_name IN ('transfer_series', 'chain_transfer_series')"
            )
        ).first()
    )


def _rename_names_inside(table: str, old: str, new: str) -> None:
    """Constraints and indexes of `table` whose names embed `old` take `new` in its place (a constraint's own index
    follows it)."""
    bind = op.get_bind()
    constraints = bind.execute(
        sa.text(
            "SELECT conname FROM pg_constraint WHERE conrelid = CAST(:t AS regclass) AND strpos(conname, :old) > 0"
        ),
        {"t": table, "old": old},
    ).scalars()
    for name in list(constraints):
        op.execute(f'ALTER TABLE {table} RENAME CONSTRAINT "{name}" TO "{name.replace(old, new, 1)}"')
    indexes = bind.execute(
        sa.text(
            """SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
               WHERE i.indrelid = CAST(:t AS regclass) AND strpos(c.relname, :old) > 0
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"""
        ),
        {"t": table, "old": old},
    ).scalars()
    for name in list(indexes):
        op.execute(f'ALTER INDEX "{name}" RENAME TO "{name.replace(old, new, 1)}"')


def _partitions(table: str) -> list[str]:
    rows = op.get_bind().execute(
        sa.text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = CAST(:t AS regclass) ORDER BY 1"
        ),
        {"t": table},
    )
    return list(rows.scalars())


def _rename_table(old: str, new: str) -> None:
    op.execute(f"ALTER TABLE {old} RENAME TO {new}")
    _rename_names_inside(new, old, new)


def _rename_all(tables: dict[str, str], series: dict[str, str]) -> None:
    for old, new in tables.items():
        _rename_table(old, new)
    for old, new in series.items():
        # Monthly partitions (native path) are named after their table: <table>_yYYYYmMM.
        for partition in _partitions(old):
            _rename_table(partition, new + partition.removeprefix(old))
        _rename_table(old, new)


def _views_native(drop: dict[str, tuple[str, str]], create: dict[str, tuple[str, str]], day: str) -> None:
    for view in drop:
        op.execute(f"DROP MATERIALIZED VIEW {view}")
    for view, (table, aggregates) in create.items():
        op.execute(daily_view_sql(view, table, aggregates, timescale=False, day=day))  # filled now: no data lost
        # REFRESH ... CONCURRENTLY needs a unique index; readers are never blocked by a refresh.
        op.execute(f"CREATE UNIQUE INDEX uq_{view}_key ON {view} (chain_id, project_id, day)")


def _payments_key(columns: str) -> None:
    op.execute("ALTER TABLE chain_payments DROP CONSTRAINT pk_chain_payments")
    op.execute(f"ALTER TABLE chain_payments ADD CONSTRAINT pk_chain_payments PRIMARY KEY ({columns})")


def upgrade() -> None:
    timescale = _is_timescale()
    _rename_all(TABLES, SERIES)
    if timescale:  # continuous aggregates already bucket timestamptz: a rename is all they need
        for old in VIEWS_0002:
            op.execute(f"ALTER MATERIALIZED VIEW {old} RENAME TO chain_{old}")
    else:
        _views_native(VIEWS_0002, VIEWS, DAY_NATIVE)
    _payments_key("chain_id, payment_ref, payer")
    op.create_index("ix_chain_payments_chain_id_payment_ref", "chain_payments", ["chain_id", "payment_ref"])
    op.add_column("chain_projects", sa.Column("metadata_cid_raw", sa.LargeBinary(), nullable=True))
    op.execute("UPDATE chain_deployments SET recorded_at = now() WHERE recorded_at IS NULL")
    op.alter_column("chain_deployments", "recorded_at", nullable=False)


def downgrade() -> None:
    """Back to 0002. Fails (and changes nothing) where two payers share a reference or a metadata string had to be
    sanitized: 0002 can hold neither."""
    op.alter_column("chain_deployments", "recorded_at", nullable=True)
    op.execute(
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM chain_projects WHERE metadata_cid_raw IS NOT NULL) THEN "
        "RAISE EXCEPTION 'chain_projects holds sanitized metadata strings: revision 0002 cannot keep their bytes'; "
        "END IF; END $$"
    )
    op.drop_column("chain_projects", "metadata_cid_raw")
    op.drop_index("ix_chain_payments_chain_id_payment_ref", "chain_payments")
    _payments_key("chain_id, payment_ref")
    timescale = _is_timescale()
    _rename_all({new: old for old, new in TABLES.items()}, {new: old for old, new in SERIES.items()})
    if timescale:
        for old in VIEWS_0002:
            op.execute(f"ALTER MATERIALIZED VIEW chain_{old} RENAME TO {old}")
    else:
        _views_native(VIEWS, VIEWS_0002, DAY_0002)
