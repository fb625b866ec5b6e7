"""All SQL of notifications: finding what to tell (investments that completed or failed, final distributions and
their holders), filling the outbox once per (kind, subject, user), and claiming due rows. Never commits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core.models import Notification, NotificationCursor, NotificationSubject, User

HISTORY_CURSOR = "investment_status_history"
KIND_BY_STATUS = {"completed": "investment_completed", "final": "investment_completed", "failed": "investment_failed"}


@dataclass(frozen=True)
class Pending:
    """One notification to add: who, about what, with the facts its template needs."""

    kind: str
    subject: str
    user_id: uuid.UUID
    payload: dict[str, Any]


def add(session: Session, rows: list[Pending]) -> int:
    """Insert what is not there yet; the unique key decides, so replicas and reruns add nothing twice."""
    if not rows:
        return 0
    values = [{"kind": r.kind, "subject": r.subject, "user_id": r.user_id, "payload": r.payload} for r in rows]
    stmt = insert(Notification).values(values).on_conflict_do_nothing(constraint="uq_notifications_kind_subject_user")
    return len(session.execute(stmt.returning(Notification.id)).all())


# ----- investments: a cursor over the status history ---------------------------------------------
def lock_cursor(session: Session, name: str) -> int | None:
    """The cursor's position, locked for this transaction; None while another replica holds it (it is collecting:
    this one skips a turn rather than wait)."""
    session.execute(insert(NotificationCursor).values(name=name).on_conflict_do_nothing())
    stmt = select(NotificationCursor.position).where(NotificationCursor.name == name)
    return session.scalars(stmt.with_for_update(skip_locked=True)).one_or_none()


def move_cursor(session: Session, name: str, position: int, now: datetime) -> None:
    session.execute(
        update(NotificationCursor).where(NotificationCursor.name == name).values(position=position, updated_at=now)
    )


def status_changes_after(session: Session, position: int) -> list[dict[str, Any]]:
    """Changes to completed, final or failed past the cursor, with the investment and its user (the account, or the
    account its paying wallet is linked to) where that user has an address."""
    rows = session.execute(
        text(
            """SELECT h.to_status, i.id AS investment_id, i.chain_id, i.project_id, i.amount_cents, i.mint_tx_hash,
                      u.id AS user_id, p.name AS project_name
               FROM investment_status_history h
               JOIN investments i ON i.id = h.investment_id
               LEFT JOIN user_wallets w ON i.investor_user_id IS NULL AND w.address = i.investor_wallet
               JOIN users u ON u.id = COALESCE(i.investor_user_id, w.user_id)
               LEFT JOIN projects p ON p.chain_id = i.chain_id AND p.token_id = i.project_id
               WHERE h.id > :after AND h.to_status IN ('completed', 'final', 'failed')
                 AND u.email IS NOT NULL AND u.deleted_at IS NULL
               ORDER BY h.id"""
        ),
        {"after": position},
    )
    return [dict(r) for r in rows.mappings()]


def settled_position(session: Session, position: int, horizon: datetime) -> int:
    """How far the cursor may move: past every change older than `horizon`, but not past a younger one (a
    transaction that took its id earlier may still commit; it is read again next time, the unique key dedupes)."""
    row = session.execute(
        text(
            """SELECT max(id) AS last, min(id) FILTER (WHERE at >= :horizon) AS first_young
               FROM investment_status_history WHERE id > :after"""
        ),
        {"after": position, "horizon": horizon},
    ).one()
    if row.first_young is not None:
        return int(row.first_young) - 1
    return position if row.last is None else int(row.last)


# ----- distributions: final ones not worked out yet ----------------------------------------------
def new_final_distributions(session: Session, limit: int) -> list[dict[str, Any]]:
    rows = session.execute(
        text(
            """SELECT d.chain_id, d.project_id, d.distribution_id, d.total_amount, d.snapshot_block, d.tx_hash,
                      concat_ws(':', d.chain_id, d.project_id, d.distribution_id, d.block_hash) AS subject,
                      p.name AS project_name
               FROM chain_distributions d
               LEFT JOIN projects p ON p.chain_id = d.chain_id AND p.token_id = d.project_id
               WHERE d.final AND NOT EXISTS (
                   SELECT 1 FROM notification_subjects s
                   WHERE s.kind = 'distribution_recorded'
                     AND s.subject = concat_ws(':', d.chain_id, d.project_id, d.distribution_id, d.block_hash))
               ORDER BY d.block_number, d.log_index
               LIMIT :limit"""
        ),
        {"limit": limit},
    )
    return [dict(r) for r in rows.mappings()]


def balances_at(session: Session, chain_id: int, project_id: int, block: int) -> dict[str, int]:
    """Every address holding the project at `block`, from the indexed transfers up to it (the snapshot the
    distribution's merkle tree was built from)."""
    rows = session.execute(
        text(
            """WITH moves AS (
                   SELECT to_address AS holder, amount FROM chain_transfer_series
                   WHERE chain_id = :chain AND project_id = :project AND block_number <= :block
                   UNION ALL
                   SELECT from_address, -amount FROM chain_transfer_series
                   WHERE chain_id = :chain AND project_id = :project AND block_number <= :block)
               SELECT holder, sum(amount) AS units FROM moves GROUP BY holder HAVING sum(amount) > 0"""
        ),
        {"chain": chain_id, "project": project_id, "block": block},
    )
    return {r.holder: int(r.units) for r in rows}


def reachable_owners(session: Session, addresses: list[str]) -> dict[str, uuid.UUID]:
    """Which of `addresses` belong to a user who has an email (custodial addresses and linked wallets)."""
    if not addresses:
        return {}
    rows = session.execute(
        text(
            """SELECT o.address, o.user_id FROM (
                   SELECT user_id, address FROM custodial_accounts WHERE address = ANY(:addresses)
                   UNION SELECT user_id, address FROM user_wallets WHERE address = ANY(:addresses)) o
               JOIN users u ON u.id = o.user_id AND u.email IS NOT NULL AND u.deleted_at IS NULL"""
        ),
        {"addresses": addresses},
    )
    return {r.address: r.user_id for r in rows}


def mark_subject(session: Session, kind: str, subject: str, recipients: int) -> None:
    session.execute(
        insert(NotificationSubject).values(kind=kind, subject=subject, recipients=recipients).on_conflict_do_nothing()
    )


# ----- sending -----------------------------------------------------------------------------------
def claim_due(session: Session, now: datetime) -> Notification | None:
    """One due row, locked until this transaction ends; rows another sender holds are skipped, never waited for,
    so several API replicas drain one outbox without sending anything twice."""
    stmt = (
        select(Notification)
        .where(Notification.status == "pending", Notification.next_attempt_at <= now)
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return session.scalars(stmt).one_or_none()


def address_of(session: Session, user_id: uuid.UUID) -> str | None:
    user = session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        return None
    return user.email
