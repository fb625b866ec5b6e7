"""catalogue search and cache version: a generated tsvector (GIN) over name + description; where PostGIS is
available, a generated geography(Point,4326) from longitude/latitude (GIST); a catalogue version row that statement
triggers change with every write to projects, documents and updates (the key of cached project answers)

PostGIS goes into a schema of its own (`postgis`), so that its `spatial_ref_sys` table stays out of `public`
(which tests empty and schema comparisons read). Without PostGIS (the dev stack's embedded PostgreSQL) or without
the privilege to create it, the migration still succeeds and the API searches by an exact great-circle query.

Revision ID: 0009
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError

revision = "0009"
down_revision = "0010"
branch_labels = None
depends_on = None

SEARCH_VECTOR_SQL = (
    "setweight(to_tsvector('english', name), 'A') || setweight(to_tsvector('english', description), 'B')"
)
POSTGIS_SCHEMA = "postgis"
CATALOGUE_TABLES = ("projects", "project_documents", "project_updates")


def _postgis_schema() -> str | None:
    """The schema PostGIS lives in, creating it where the server has the extension; None where it cannot."""
    bind = op.get_bind()
    found = bind.execute(
        sa.text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'postgis'"
        )
    ).scalar()
    if found is not None:
        return str(found)
    if not bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")).first():
        return None
    try:
        with bind.begin_nested():  # a role without the privilege keeps the fallback instead of failing
            bind.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {POSTGIS_SCHEMA}"))
            bind.execute(sa.text(f"CREATE EXTENSION IF NOT EXISTS postgis SCHEMA {POSTGIS_SCHEMA}"))
    except DBAPIError:
        return None
    return POSTGIS_SCHEMA


def upgrade() -> None:
    op.add_column(
        "projects",
        sa.Column(
            "search_vector", postgresql.TSVECTOR(), sa.Computed(SEARCH_VECTOR_SQL, persisted=True), nullable=False
        ),
    )
    op.create_index("ix_projects_search", "projects", ["search_vector"], unique=False, postgresql_using="gin")

    schema = _postgis_schema()
    if schema is not None:
        op.execute(
            f"ALTER TABLE projects ADD COLUMN location_geog {schema}.geography(Point, 4326) GENERATED ALWAYS AS "
            f"({schema}.ST_SetSRID({schema}.ST_MakePoint(longitude::float8, latitude::float8), 4326)"
            f"::{schema}.geography) STORED"
        )
        op.execute("CREATE INDEX ix_projects_location_geog ON projects USING gist (location_geog)")

    op.create_table(
        "catalogue_version",
        sa.Column("id", sa.Integer(), server_default=sa.text("1"), autoincrement=False, nullable=False),
        sa.Column("version", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_catalogue_version_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_version")),
    )
    op.execute("INSERT INTO catalogue_version (id) VALUES (1)")
    # An upsert, so that the row comes back after a TRUNCATE (tests empty every table at once).
    op.execute(
        "CREATE FUNCTION catalogue_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "INSERT INTO catalogue_version (id, version, changed_at) VALUES (1, gen_random_uuid(), now()) "
        "ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, changed_at = EXCLUDED.changed_at; "
        "RETURN NULL; END $$"
    )
    for table in CATALOGUE_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_catalogue_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION catalogue_version_bump()"
        )


def downgrade() -> None:
    for table in CATALOGUE_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_catalogue_version ON {table}")
    op.execute("DROP FUNCTION IF EXISTS catalogue_version_bump()")
    op.drop_table("catalogue_version")
    op.execute("DROP INDEX IF EXISTS ix_projects_location_geog")
    op.execute("ALTER TABLE projects DROP COLUMN IF EXISTS location_geog")
    op.drop_index("ix_projects_search", table_name="projects", postgresql_using="gin")
    op.drop_column("projects", "search_vector")
    bind = op.get_bind()
    ours = bind.execute(
        sa.text(
            "SELECT 1 FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'postgis' AND n.nspname = :schema"
        ),
        {"schema": POSTGIS_SCHEMA},
    ).first()
    if ours:
        try:
            with bind.begin_nested():  # something else may use PostGIS by now: then it stays
                bind.execute(sa.text("DROP EXTENSION postgis"))
                bind.execute(sa.text(f"DROP SCHEMA {POSTGIS_SCHEMA}"))
        except DBAPIError:
            pass
