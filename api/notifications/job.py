"""The notification job: `collect` finds what needs telling and adds it to the outbox; `drain` sends what is due.

Sending holds the outbox row's lock (FOR UPDATE SKIP LOCKED) while the SMTP server is asked, and marks it sent only
once the server accepted, in that same transaction: two senders never both send one row. What remains is the
window between the server's acceptance and our commit (a crash there resends once); the Message-ID is the row's,
so a mail system can tell the copies apart. A failure waits (doubling) and is given up after N attempts.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy.orm import Session, sessionmaker

from api.notifications import repository
from api.notifications.mailer import Mailer, PermanentFailure, TemporaryFailure, message
from api.notifications.repository import HISTORY_CURSOR, KIND_BY_STATUS, Pending
from api.notifications.retry import next_attempt
from api.notifications.templates import render
from core.distributions.allocation import AllocationError, allocate
from core.models import Notification

log = structlog.get_logger("api.notifications")

# A status change younger than this may still have a transaction with an earlier id in flight: the cursor waits.
SETTLE = timedelta(minutes=5)
DISTRIBUTIONS_PER_PASS = 20


@dataclass(frozen=True)
class SendPolicy:
    max_attempts: int = 8
    retry_seconds: float = 30.0
    batch: int = 100  # sent per drain, so that collecting is never starved


@dataclass
class Drained:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


def collect(session: Session, now: datetime) -> int:
    """Add what needs telling (in the caller's transaction); returns how many notifications were added. One
    collector at a time: while another replica holds the cursor, this one skips its turn."""
    position = repository.lock_cursor(session, HISTORY_CURSOR)
    if position is None:
        return 0
    return collect_investments(session, position, now) + collect_distributions(session)


def collect_investments(session: Session, position: int, now: datetime) -> int:
    rows = [
        Pending(
            kind=KIND_BY_STATUS[r["to_status"]],
            subject=str(r["investment_id"]),
            user_id=r["user_id"],
            payload=_investment_payload(r),
        )
        for r in repository.status_changes_after(session, position)
    ]
    added = repository.add(session, rows)
    repository.move_cursor(session, HISTORY_CURSOR, repository.settled_position(session, position, now - SETTLE), now)
    return added


def _investment_payload(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "investment_id": str(row["investment_id"]),
        "chain_id": row["chain_id"],
        "project_id": int(row["project_id"]),
        "project_name": row["project_name"],
        "amount_cents": row["amount_cents"],
        "mint_tx_hash": row["mint_tx_hash"],
    }


def collect_distributions(session: Session) -> int:
    """Final distributions only (a reorg cannot take them back), each worked out once: one email per user holding
    the project at the snapshot block, with their amount as the merkle tree allocates it (largest remainder)."""
    added = 0
    for d in repository.new_final_distributions(session, DISTRIBUTIONS_PER_PASS):
        rows = _distribution_rows(session, d)
        added += repository.add(session, rows)
        repository.mark_subject(session, "distribution_recorded", str(d["subject"]), len(rows))
    return added


def _distribution_rows(session: Session, d: dict[str, Any]) -> list[Pending]:
    balances = repository.balances_at(session, d["chain_id"], int(d["project_id"]), int(d["snapshot_block"]))
    owners = repository.reachable_owners(session, sorted(balances))
    if not owners:
        return []
    try:
        amounts = allocate(int(d["total_amount"]), balances)
    except AllocationError:
        amounts = {}  # nothing to split (a zero total): the holders are still told, without an amount
    per_user: dict[uuid.UUID, tuple[int, int]] = {}
    for address, user in owners.items():
        units, amount = per_user.get(user, (0, 0))
        per_user[user] = (units + balances[address], amount + amounts.get(address, 0))
    base = {
        "chain_id": d["chain_id"],
        "project_id": int(d["project_id"]),
        "project_name": d["project_name"],
        "distribution_id": str(d["distribution_id"]),
        "total_amount": str(d["total_amount"]),
        "snapshot_block": int(d["snapshot_block"]),
        "tx_hash": d["tx_hash"],
        "supply": sum(balances.values()),
    }
    return [
        Pending("distribution_recorded", str(d["subject"]), user, base | {"units": units, "amount": str(amount)})
        for user, (units, amount) in sorted(per_user.items())
    ]


def drain(sessions: sessionmaker[Session], mailer: Mailer, policy: SendPolicy, now: Callable[[], datetime]) -> Drained:
    """Send what is due, one row per transaction; stops when nothing is due or after `policy.batch` rows."""
    result = Drained()
    for _ in range(policy.batch):
        with sessions.begin() as session:
            row = repository.claim_due(session, now())
            if row is None:
                break
            _send_one(session, row, mailer, policy, now(), result)
    return result


def _send_one(
    session: Session, row: Notification, mailer: Mailer, policy: SendPolicy, now: datetime, result: Drained
) -> None:
    to = repository.address_of(session, row.user_id)
    if to is None:
        row.status, row.last_error = "skipped", "the user has no email address"
        result.skipped += 1
        return
    row.attempts += 1
    try:
        mailer.send(message(mailer.config, to, render(row.kind, row.payload), f"notification-{row.id}"))
    except (TemporaryFailure, PermanentFailure) as exc:
        retry_at = (
            None
            if isinstance(exc, PermanentFailure)
            else next_attempt(row.attempts, policy.max_attempts, policy.retry_seconds, now)
        )
        row.last_error = str(exc)[:1000]
        if retry_at is None:
            row.status = "failed"
            result.failed += 1
        else:
            row.next_attempt_at = retry_at
            result.retried += 1
        result.errors.append(row.last_error)
        log.warning("notification_not_sent", id=row.id, kind=row.kind, attempts=row.attempts, error=row.last_error)
        return
    row.status, row.sent_at, row.last_error = "sent", now, None
    result.sent += 1
