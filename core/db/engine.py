"""Engine and session factory. Services never commit: the request, job or indexer batch owns the transaction."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from core.db.embedded import start_embedded
from core.settings import ServiceSettings


def sqlalchemy_url(url: str) -> str:
    """Any PostgreSQL URL, with the psycopg 3 driver SQLAlchemy should use."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def resolve_database_url(settings: ServiceSettings) -> str:
    if settings.database_url is not None:
        return sqlalchemy_url(settings.database_url.get_secret_value())
    return sqlalchemy_url(start_embedded(settings.data_dir))


def make_engine(url: str, **kwargs: object) -> Engine:
    return create_engine(url, pool_pre_ping=True, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
