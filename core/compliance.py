"""Queueing allowlist entries for the relayer: whoever decides that an address may hold tokens (the API when KYC
is approved or a verified user links a wallet, the relayer before a mint) writes the same intent, once per address.
The relayer's compliance key puts it on chain; nothing here signs."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core.models.payments import ComplianceIntent


def queue_allow(session: Session, account: str) -> None:
    """An `allow` intent for `account` unless one exists (one per address, whatever its state)."""
    # The conflict target's predicate is a literal, as in the partial unique index: a bound parameter there stops
    # matching the index once psycopg prepares the statement (6th execution on a connection) and the insert fails.
    session.execute(
        insert(ComplianceIntent)
        .values(kind="allow", account=account.lower(), status="pending")
        .on_conflict_do_nothing(index_elements=["account"], index_where=text("kind = 'allow'"))
    )
