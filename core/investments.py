"""Create and read investments, and record their status changes: what the API and the relayer both call.

The API creates an investment (`create_investment`) when a user starts one; the relayer moves its status as the
payment, the mint and any refund happen (`set_status`), each change with its time and cause in the history.
Functions take a Session and never commit: the request or job that calls them owns the transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.chain.payment_ref import investment_payment_ref, ref_hex
from core.models.investments import METHODS, STATUSES, Investment, InvestmentStatusChange

# PaymentRouter.MINIMUM_CENTS: $10, the smallest investment the platform takes.
MINIMUM_INVESTMENT_CENTS = 1000
# Statuses in which an investment holds part of its project's capacity without being in the index's `minted` yet:
# paid and minting always, pending_payment only while its reservation lasts (`reserved_until`).
HOLDING_STATUSES = ("pending_payment", "paid", "minting")


class InvalidInvestment(ValueError):
    """An investment the platform cannot take (below the minimum, no investor, an unknown method)."""


@dataclass(frozen=True)
class StatusChange:
    at: datetime
    from_status: str | None
    to_status: str
    cause: str
    details: dict[str, Any] | None


def create_investment(
    session: Session,
    *,
    chain_id: int,
    project_id: int,
    amount_cents: int,
    method: str,
    user_id: uuid.UUID | None = None,
    wallet: str | None = None,
    investment_id: uuid.UUID | None = None,
    cause: str = "created",
    reserved_until: datetime | None = None,
) -> Investment:
    """A new investment in `pending_payment`, its payment reference derived from its id.

    A crypto investment needs the verified wallet that will pay (the router binds a reference to its payer, and the
    tokens go there); a card investment needs the user account whose custodial address receives the tokens."""
    if method not in METHODS:
        raise InvalidInvestment(f"unknown payment method {method!r} (expected one of {', '.join(METHODS)})")
    if amount_cents < MINIMUM_INVESTMENT_CENTS:
        raise InvalidInvestment(f"the minimum investment is {MINIMUM_INVESTMENT_CENTS} cents, got {amount_cents}")
    if method == "crypto" and wallet is None:
        raise InvalidInvestment("a crypto investment needs the verified wallet that pays")
    if method == "card" and user_id is None:
        raise InvalidInvestment("a card investment needs a user account (its custodial address receives the tokens)")
    if project_id <= 0:
        raise InvalidInvestment(f"project id must be positive, got {project_id}")
    investment_id = investment_id or uuid.uuid4()
    now = datetime.now(UTC)
    investment = Investment(
        id=investment_id,
        chain_id=chain_id,
        investor_user_id=user_id,
        investor_wallet=wallet.lower() if wallet else None,
        project_id=Decimal(project_id),
        amount_cents=amount_cents,
        currency="usd",
        method=method,
        payment_ref=ref_hex(investment_payment_ref(investment_id)),
        status="pending_payment",
        recipient=wallet.lower() if method == "crypto" and wallet else None,
        reserved_until=reserved_until,
        created_at=now,
        updated_at=now,
    )
    session.add(investment)
    session.add(InvestmentStatusChange(investment_id=investment_id, to_status="pending_payment", cause=cause, at=now))
    session.flush()
    return investment


def attach_payment_intent(session: Session, investment: Investment, payment_intent_id: str) -> None:
    """Record the Stripe PaymentIntent that pays a card investment (its webhooks find the investment by it)."""
    investment.stripe_payment_intent_id = payment_intent_id
    session.flush()


def get_investment(session: Session, investment_id: uuid.UUID, *, lock: bool = False) -> Investment | None:
    stmt = select(Investment).where(Investment.id == investment_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one_or_none()


def find_by_payment_intent(session: Session, payment_intent_id: str, *, lock: bool = False) -> Investment | None:
    stmt = select(Investment).where(Investment.stripe_payment_intent_id == payment_intent_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one_or_none()


def find_by_payment_ref(session: Session, payment_ref: str, *, lock: bool = False) -> Investment | None:
    stmt = select(Investment).where(Investment.payment_ref == payment_ref.lower())
    if lock:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one_or_none()


def set_status(
    session: Session, investment: Investment, status: str, cause: str, details: dict[str, Any] | None = None
) -> bool:
    """Move `investment` to `status`, recording the change with its cause; False when it already was there."""
    if status not in STATUSES:
        raise ValueError(f"unknown investment status {status!r}")
    if investment.status == status:
        return False
    now = datetime.now(UTC)
    session.add(
        InvestmentStatusChange(
            investment_id=investment.id,
            from_status=investment.status,
            to_status=status,
            cause=cause,
            details=details,
            at=now,
        )
    )
    investment.status = status
    investment.updated_at = now
    session.flush()
    return True


def status_history(session: Session, investment_id: uuid.UUID) -> list[StatusChange]:
    rows = session.scalars(
        select(InvestmentStatusChange)
        .where(InvestmentStatusChange.investment_id == investment_id)
        .order_by(InvestmentStatusChange.id)
    ).all()
    return [StatusChange(r.at, r.from_status, r.to_status, r.cause, r.details) for r in rows]
