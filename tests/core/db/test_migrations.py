"""Migrations apply on an empty database, undo completely and re-apply: `terra db upgrade` can be trusted."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from core.db.engine import make_engine
from core.db.migrate import current_revision, downgrade, include_object, upgrade
from core.models import Base


@pytest.fixture
def empty_database(database_url: str) -> Iterator[str]:
    server = make_url(database_url)
    name = f"terra_migr_{uuid.uuid4().hex[:10]}"
    admin = server.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield server.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_creates_every_model_table_then_downgrade_removes_them(empty_database: str) -> None:
    upgrade(empty_database)
    assert current_revision(empty_database) is not None
    model_tables = {t.name for t in Base.metadata.sorted_tables}
    assert model_tables <= _tables(empty_database)
    downgrade(empty_database, "base")
    assert current_revision(empty_database) is None
    assert _tables(empty_database) == set()
    upgrade(empty_database)
    assert model_tables <= _tables(empty_database)


def _schema_differences(url: str) -> list[object]:
    """What Alembic's autogenerate would change to make the migrated database match the ORM models."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={"compare_type": True, "compare_server_default": True, "include_object": include_object},
            )
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def test_the_migrated_schema_is_the_one_the_models_describe(empty_database: str) -> None:
    upgrade(empty_database)
    assert _schema_differences(empty_database) == []
