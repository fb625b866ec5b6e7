"""SQL for mints and payments keyed by payment reference (unique: a reference mints at most once)."""

from __future__ import annotations

import psycopg

POSITION = "block_number, block_hash, tx_hash, log_index, block_time, final"
MINT_COLUMNS = f"chain_id, payment_ref, project_id, investor, amount, {POSITION}"
PAYMENT_COLUMNS = f"chain_id, payment_ref, payer, project_id, token, amount, {POSITION}"


def copy_mints(cur: psycopg.Cursor, text: str) -> None:
    """Rows come only from events new in this transaction, so plain COPY: a duplicate is a bug and fails loudly."""
    if text:
        with cur.copy(f"COPY investment_mints ({MINT_COLUMNS}) FROM STDIN") as copy:
            copy.write(text)


def copy_payments(cur: psycopg.Cursor, text: str) -> None:
    if text:
        with cur.copy(f"COPY payments ({PAYMENT_COLUMNS}) FROM STDIN") as copy:
            copy.write(text)
