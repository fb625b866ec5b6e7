"""All SQL of wallets: SIWE nonces (issue, read, consume once, purge) and the wallets linked to accounts. Never
commits."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Select, delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core.models import SiweNonce, User, UserWallet

PURGE_BATCH = 1000


# ----- nonces ------------------------------------------------------------------------------------
def add_nonce(session: Session, nonce: str, now: datetime, expires_at: datetime) -> None:
    session.execute(insert(SiweNonce).values(nonce=nonce, issued_at=now, expires_at=expires_at))


def nonce(session: Session, value: str) -> SiweNonce | None:
    return session.get(SiweNonce, value, populate_existing=True)


def consume_nonce(session: Session, value: str, now: datetime) -> bool:
    """Marks the nonce used if it is still unused and unexpired; True only for the one caller that did. Racing
    callers queue on the row lock and, once the winner commits, find it used (READ COMMITTED re-checks the WHERE)."""
    stmt = (
        update(SiweNonce)
        .where(SiweNonce.nonce == value, SiweNonce.consumed_at.is_(None), SiweNonce.expires_at > now)
        .values(consumed_at=now)
        .returning(SiweNonce.nonce)
    )
    return session.execute(stmt).scalar_one_or_none() is not None


def purge_expired_nonces(session: Session, now: datetime) -> None:
    """Drops a batch of expired nonces, skipping rows another request holds, so issuing never waits on a purge."""
    expired = (
        select(SiweNonce.nonce)
        .where(SiweNonce.expires_at <= now)
        .limit(PURGE_BATCH)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    session.execute(delete(SiweNonce).where(SiweNonce.nonce.in_(expired)))


# ----- wallets -----------------------------------------------------------------------------------
def lock_address(session: Session, address: str) -> None:
    """Serialises sign-ins and links of one address until the transaction ends: the check that it is unlinked and
    the insert that links it cannot interleave with another request's."""
    session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": f"wallet:{address}"})


def wallet(session: Session, address: str) -> UserWallet | None:
    return session.get(UserWallet, address, populate_existing=True)


def add_wallet(
    session: Session, *, address: str, user_id: uuid.UUID, kind: str, chain_id: int, now: datetime
) -> UserWallet:
    linked = UserWallet(address=address, user_id=user_id, kind=kind, chain_id=chain_id, linked_at=now)
    session.add(linked)
    session.flush()
    return linked


def wallets_query(user_id: uuid.UUID) -> Select[UserWallet]:
    return select(UserWallet).where(UserWallet.user_id == user_id).order_by(UserWallet.linked_at, UserWallet.address)


def wallet_count(session: Session, user_id: uuid.UUID) -> int:
    return session.scalar(select(func.count()).where(UserWallet.user_id == user_id)) or 0


def delete_wallet(session: Session, wallet: UserWallet) -> None:
    session.delete(wallet)
    session.flush()


# ----- wallet-only accounts ----------------------------------------------------------------------
def add_wallet_user(session: Session, now: datetime) -> User:
    """An account without email or password: it signs in with its wallets alone."""
    user = User(created_at=now, updated_at=now)
    session.add(user)
    session.flush()
    return user


def user_for_update(session: Session, user_id: uuid.UUID) -> User | None:
    """Locked: two requests unlinking an account's wallets at once cannot both remove its last way to sign in."""
    return session.scalars(
        select(User).where(User.id == user_id).with_for_update().execution_options(populate_existing=True)
    ).first()
