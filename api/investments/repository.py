"""All SQL of investments: the per-investor and per-project locks, the capacity figures (cap and minted from the
index, open reservations), the 12-month sum, linked wallets, investor profiles and the caller's investments."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core.investments import HOLDING_STATUSES
from core.models import ChainProject, Investment, InvestorProfile, Project, UserWallet

# Advisory-lock namespaces (the two-key form: namespace, hashtext(key)). A hash collision only serializes two
# unrelated requests; it never lets two of the same key through together.
_LOCK_INVESTOR = 0x7E1_0001
_LOCK_PROJECT = 0x7E1_0002
# Statuses whose amount counts towards the investor's 12-month limit (pending_payment: while reserved).
LIMIT_STATUSES = ("paid", "minting", "completed", "final", "disputed")


def lock_investor(session: Session, user_id: uuid.UUID) -> None:
    """Until the transaction ends, one investment at a time per investor (their limit spans all projects).
    Always taken before the project's lock, so two requests never wait on each other crosswise."""
    session.execute(
        text("SELECT pg_advisory_xact_lock(:ns, hashtext(:key))"), {"ns": _LOCK_INVESTOR, "key": str(user_id)}
    )


def lock_project(session: Session, chain_id: int, token_id: Decimal) -> None:
    """Until the transaction ends, one investment at a time per on-chain project: what the capacity check reads
    cannot change before this transaction's reservation commits."""
    key = f"{chain_id}:{token_id}"
    session.execute(text("SELECT pg_advisory_xact_lock(:ns, hashtext(:key))"), {"ns": _LOCK_PROJECT, "key": key})


def catalogue_project(session: Session, project_id: uuid.UUID) -> Project | None:
    return session.get(Project, project_id)


def chain_project(session: Session, chain_id: int, token_id: Decimal) -> ChainProject | None:
    return session.get(ChainProject, (chain_id, token_id), populate_existing=True)


def _holding(now: datetime) -> ColumnElement[bool]:
    return or_(
        Investment.status.in_(("paid", "minting")),
        and_(Investment.status == "pending_payment", Investment.reserved_until > now),
    )


def held_cents(session: Session, chain_id: int, token_id: Decimal, now: datetime) -> int:
    """Cents of the project held by investments not in the index's `minted` yet: paid or minting ones, and unpaid
    ones whose reservation has not expired."""
    stmt = select(func.coalesce(func.sum(Investment.amount_cents), 0)).where(
        Investment.chain_id == chain_id,
        Investment.project_id == token_id,
        Investment.status.in_(HOLDING_STATUSES),
        _holding(now),
    )
    return int(session.scalar(stmt) or 0)


def used_in_window(session: Session, user_id: uuid.UUID, since: datetime, now: datetime) -> int:
    """Cents the investor put in since `since` across all projects: every investment not failed, cancelled,
    refunded or left unpaid past its reservation."""
    stmt = select(func.coalesce(func.sum(Investment.amount_cents), 0)).where(
        Investment.investor_user_id == user_id,
        Investment.created_at >= since,
        or_(
            Investment.status.in_(LIMIT_STATUSES),
            and_(Investment.status == "pending_payment", Investment.reserved_until > now),
        ),
    )
    return int(session.scalar(stmt) or 0)


def wallet_of(session: Session, user_id: uuid.UUID, address: str) -> UserWallet | None:
    wallet = session.get(UserWallet, address.lower())
    return wallet if wallet is not None and wallet.user_id == user_id else None


def investor_profile(session: Session, user_id: uuid.UUID) -> InvestorProfile | None:
    return session.get(InvestorProfile, user_id, populate_existing=True)


def save_investor_profile(
    session: Session, user_id: uuid.UUID, income_cents: int | None, worth_cents: int | None, now: datetime
) -> InvestorProfile:
    values = {"annual_income_cents": income_cents, "net_worth_cents": worth_cents, "declared_at": now}
    session.execute(
        insert(InvestorProfile)
        .values(user_id=user_id, **values)
        .on_conflict_do_update(index_elements=[InvestorProfile.user_id], set_=values)
    )
    profile = investor_profile(session, user_id)
    assert profile is not None
    return profile


def investments_of(user_id: uuid.UUID) -> Select[Investment]:
    """The investor's investments, newest first (the id breaks ties so pages never overlap)."""
    return (
        select(Investment)
        .where(Investment.investor_user_id == user_id)
        .order_by(Investment.created_at.desc(), Investment.id.desc())
    )


def investment_of(session: Session, user_id: uuid.UUID, investment_id: uuid.UUID) -> Investment | None:
    """The investment when it is the investor's own; someone else's reads exactly as a missing one."""
    stmt = select(Investment).where(Investment.id == investment_id, Investment.investor_user_id == user_id)
    return session.scalars(stmt).one_or_none()


def catalogue_ids(session: Session, keys: set[tuple[int, Decimal]]) -> dict[tuple[int, Decimal], uuid.UUID]:
    """Catalogue ids of on-chain projects (chain id, token id), for answers that name the project both ways."""
    if not keys:
        return {}
    chains = {c for c, _ in keys}
    tokens = {t for _, t in keys}
    rows = session.execute(
        select(Project.chain_id, Project.token_id, Project.id).where(
            Project.chain_id.in_(chains), Project.token_id.in_(tokens)
        )
    ).all()
    return {(c, t): i for c, t, i in rows}
