"""The psycopg cursor under a SQLAlchemy session: same connection, same transaction, with COPY and arrays."""

from __future__ import annotations

import psycopg
from sqlalchemy.orm import Session


def pg_cursor(session: Session) -> psycopg.Cursor:
    driver = session.connection().connection.driver_connection
    assert isinstance(driver, psycopg.Connection), "the indexer store needs the psycopg 3 driver"
    return driver.cursor()


def numeric_array(values: list[int]) -> list[str]:
    """uint256 values for a `::numeric[]` parameter (decimal text: exact whatever the size)."""
    return [str(v) for v in values]
