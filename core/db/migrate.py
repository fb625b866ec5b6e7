"""Run Alembic migrations programmatically (`terra db upgrade`), with the URL from settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config

from core.models.catalogue import POSTGIS_ONLY_OBJECTS

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation would choke on '%' in passwords.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def include_object(_obj: Any, name: str | None, _type: str, reflected: bool, compare_to: Any) -> bool:
    """Schema comparisons (autogenerate, the models-match-migrations test) skip what a migration creates only
    where an extension exists (the PostGIS geography column and its index): the models cannot declare it."""
    return not (reflected and compare_to is None and name in POSTGIS_ONLY_OBJECTS)


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
