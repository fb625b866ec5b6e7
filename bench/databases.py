"""A fresh, migrated database per benchmark run on the PostgreSQL server of DATABASE_URL, dropped afterwards, and
the server's main process (whose children's CPU `process_usage.UsageSampler` charges to the run)."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from core.db.engine import sqlalchemy_url
from core.db.migrate import upgrade

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def fresh_database(server: str) -> str:
    name = f"terra_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    # by make_url, so that a query string (an embedded server's `?host=<socket dir>`) stays where it is
    url = sqlalchemy_url(make_url(server).set(database=name).render_as_string(hide_password=False))
    upgrade(url)
    return url


def drop_database(server: str, url: str) -> None:
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def postmaster_pid(server: str) -> int | None:
    """The server's main process, parent of every backend: found through a backend of ours, when it runs here."""
    with psycopg.connect(server, autocommit=True) as conn:
        row = conn.execute("SELECT pg_backend_pid()").fetchone()
        assert row is not None
        try:  # while the backend lives: it exits with the connection
            stat = Path(f"/proc/{row[0]}/stat").read_text()
        except OSError:
            return None  # a server on another machine: its CPU cannot be read from here
    return int(stat.rsplit(")", 1)[1].split()[1])
