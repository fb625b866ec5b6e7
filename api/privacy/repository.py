"""All SQL of privacy: what is held about one user, what keeps an account from being erased, and the erasure
itself. Never commits. Tables other areas own but may not exist yet (KYC, investor profiles) are probed first."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, text, update
from sqlalchemy.orm import Session

from core.models import (
    ChainBalance,
    CustodialAccount,
    Investment,
    InvestmentStatusChange,
    Notification,
    RefreshToken,
    RefreshTokenFamily,
    User,
    UserDistribution,
    UserRole,
    UserWallet,
)

# Not terminal: the money or the tokens are on their way (a pending payment only while its reservation lasts).
BUSY_STATUSES = ("paid", "minting", "disputed")


def table_exists(session: Session, table: str) -> bool:
    return session.scalar(text("SELECT to_regclass(:name) IS NOT NULL"), {"name": f"public.{table}"}) is True


def column_exists(session: Session, table: str, column: str) -> bool:
    found = session.scalar(
        text(
            "SELECT 1 FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name = :t AND column_name = :c"
        ),
        {"t": table, "c": column},
    )
    return found is not None


def lock_user(session: Session, user_id: uuid.UUID) -> User | None:
    """Locked: a login, a second delete or a profile change waits until the erasure committed or rolled back."""
    return session.scalars(select(User).where(User.id == user_id).with_for_update()).one_or_none()


# ----- what is held --------------------------------------------------------------------------------
def wallets(session: Session, user_id: uuid.UUID) -> list[UserWallet]:
    return list(session.scalars(select(UserWallet).where(UserWallet.user_id == user_id).order_by(UserWallet.linked_at)))


def custodial_account(session: Session, user_id: uuid.UUID) -> CustodialAccount | None:
    return session.get(CustodialAccount, user_id)


def addresses(session: Session, user_id: uuid.UUID) -> list[str]:
    """The user's custodial address and linked wallets: where their tokens are."""
    found = [w.address for w in wallets(session, user_id)]
    custodial = custodial_account(session, user_id)
    if custodial is not None and custodial.address is not None:
        found.append(custodial.address)
    return found


def investments(session: Session, user_id: uuid.UUID) -> list[Investment]:
    stmt = select(Investment).where(Investment.investor_user_id == user_id).order_by(Investment.created_at)
    return list(session.scalars(stmt))


def status_history(session: Session, investment_ids: list[uuid.UUID]) -> list[InvestmentStatusChange]:
    if not investment_ids:
        return []
    stmt = (
        select(InvestmentStatusChange)
        .where(InvestmentStatusChange.investment_id.in_(investment_ids))
        .order_by(InvestmentStatusChange.id)
    )
    return list(session.scalars(stmt))


def families(session: Session, user_id: uuid.UUID) -> list[RefreshTokenFamily]:
    stmt = select(RefreshTokenFamily).where(RefreshTokenFamily.user_id == user_id)
    return list(session.scalars(stmt.order_by(RefreshTokenFamily.created_at)))


def refresh_tokens(session: Session, family_ids: list[uuid.UUID]) -> list[RefreshToken]:
    if not family_ids:
        return []
    stmt = select(RefreshToken).where(RefreshToken.family_id.in_(family_ids)).order_by(RefreshToken.issued_at)
    return list(session.scalars(stmt))


def holdings(session: Session, holders: list[str]) -> list[ChainBalance]:
    if not holders:
        return []
    stmt = select(ChainBalance).where(ChainBalance.holder.in_(holders), ChainBalance.balance > 0)
    return list(session.scalars(stmt.order_by(ChainBalance.chain_id, ChainBalance.project_id, ChainBalance.holder)))


def distributions(session: Session, user_id: uuid.UUID) -> list[UserDistribution]:
    stmt = select(UserDistribution).where(UserDistribution.user_id == user_id)
    return list(session.scalars(stmt.order_by(UserDistribution.distribution_id, UserDistribution.account)))


def notifications(session: Session, user_id: uuid.UUID) -> list[Notification]:
    return list(session.scalars(select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)))


def rows_of(session: Session, table: str, user_id: uuid.UUID) -> list[dict[str, Any]]:
    """A table of another area keyed by user_id (KYC records, investor profiles), or nothing when it does not exist
    in this schema. `table` is one of our own constants, never input."""
    if not table_exists(session, table):
        return []
    result = session.execute(text(f'SELECT * FROM "{table}" WHERE user_id = :u'), {"u": user_id})
    return [dict(row) for row in result.mappings()]


# ----- what keeps an account from being erased ---------------------------------------------------
def active_investments(session: Session, user_id: uuid.UUID, now: datetime) -> list[Investment]:
    pending = Investment.status == "pending_payment"
    if column_exists(session, "investments", "reserved_until"):
        # Written as SQL: the column comes with the investments API's revision.
        pending = pending & text("investments.reserved_until > :now").bindparams(now=now)
    stmt = select(Investment).where(
        Investment.investor_user_id == user_id,
        or_(Investment.status.in_(BUSY_STATUSES), pending, Investment.dispute_status == "open"),
    )
    return list(session.scalars(stmt.order_by(Investment.created_at)))


# ----- erasure -----------------------------------------------------------------------------------
def unlink_wallets(session: Session, user_id: uuid.UUID) -> None:
    session.execute(delete(UserWallet).where(UserWallet.user_id == user_id))


def end_sessions(session: Session, user_id: uuid.UUID, now: datetime) -> None:
    """Every login revoked (its access tokens stop at once) and the refresh-token hashes dropped."""
    session.execute(
        update(RefreshTokenFamily)
        .where(RefreshTokenFamily.user_id == user_id, RefreshTokenFamily.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason="account_deleted")
    )
    owned = select(RefreshTokenFamily.id).where(RefreshTokenFamily.user_id == user_id)
    session.execute(delete(RefreshToken).where(RefreshToken.family_id.in_(owned)))


def drop_roles(session: Session, user_id: uuid.UUID) -> None:
    session.execute(delete(UserRole).where(UserRole.user_id == user_id))


def delete_rows_of(session: Session, table: str, user_id: uuid.UUID) -> None:
    """Like rows_of: a table of another area, when it exists (its dependants go by their ON DELETE CASCADE)."""
    if table_exists(session, table):
        session.execute(text(f'DELETE FROM "{table}" WHERE user_id = :u'), {"u": user_id})


def skip_pending_notifications(session: Session, user_id: uuid.UUID) -> None:
    session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.status == "pending")
        .values(status="skipped", last_error="account deleted")
    )


def anonymize_user(session: Session, user: User, now: datetime) -> None:
    """The row stays (investments and the ledger point at it) with nothing that names or reaches a person."""
    user.email = None
    user.password_hash = None
    user.country = None
    user.kyc_status = "pending"
    user.kyc_verified_at = None
    user.failed_login_count = 0
    user.locked_until = None
    user.last_login_at = None
    user.deleted_at = now
    user.updated_at = now
    session.flush()
