"""SQL for mints (one per payment reference) and payments (one per payer and reference)."""

from __future__ import annotations

import psycopg

from indexer.store.copy_tables import MINTS, PAYMENTS


def copy_mints(cur: psycopg.Cursor, text: str) -> None:
    """Rows come only from events new in this transaction, so plain COPY: a duplicate is a bug and fails loudly."""
    if text:
        with cur.copy(MINTS.copy_sql) as copy:
            copy.write(text)


def copy_payments(cur: psycopg.Cursor, text: str) -> None:
    if text:
        with cur.copy(PAYMENTS.copy_sql) as copy:
            copy.write(text)
