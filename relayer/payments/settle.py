"""Bring an investment in line with its facts: derive what is owed (rules.owed) and write it — the status with its
cause, the mint intent, cancellations, freeze levels, clawbacks, flags — in the caller's transaction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.compliance import queue_allow
from core.investments import set_status
from core.models.investments import Investment
from core.models.payments import ComplianceIntent
from relayer.custody import Custody
from relayer.payments import repository as repo
from relayer.payments.rules import Facts, Owed, owed


def facts_of(session: Session, investment: Investment) -> Facts:
    return Facts(
        amount_cents=investment.amount_cents,
        paid=investment.paid_at is not None or investment.refunded_cents > 0 or investment.dispute_status is not None,
        failures=investment.payment_failures,
        cancelled=investment.cancelled_at is not None,
        refunded_cents=investment.refunded_cents,
        dispute=investment.dispute_status,
        failure_reason=investment.failure_reason,
        mint=repo.mint_state(session, investment),
        clawed_back=repo.clawed_back(session, investment.id),
    )


def recipient_of(session: Session, investment: Investment, custody: Custody) -> str:
    """Where the tokens go: the verified wallet that paid, else the user's custodial address (derived once)."""
    if investment.recipient is not None:
        return investment.recipient
    if investment.investor_wallet is not None:
        return investment.investor_wallet
    assert investment.investor_user_id is not None  # the table's check: a user or a wallet
    account = repo.custodial_account(session, investment.investor_user_id)
    if account.address is None:
        account.address = custody.address(account.account_index)
    return account.address


def settle(session: Session, investment: Investment, cause: str, custody: Custody) -> Owed:
    o = owed(facts_of(session, investment))
    if o.mint:
        recipient = recipient_of(session, investment, custody)
        investment.recipient = recipient
        repo.upsert_mint_intent(session, investment, recipient)
        if investment.method == "card":  # a wallet is on the allowlist through KYC, or the router refused its payment
            queue_allow(session, recipient)
    if o.cancel_mint:
        repo.cancel_pending_intent(session, investment.id, cause)
    if o.clawback:
        repo.ensure_clawback_intent(session, investment, investment.amount_cents)
    if o.freeze_changed and investment.recipient is not None:
        level = repo.disputed_amount(session, investment.chain_id, investment.recipient, investment.project_id)
        last = session.scalar(
            select(ComplianceIntent.amount)
            .where(
                ComplianceIntent.kind == "freeze",
                ComplianceIntent.account == investment.recipient,
                ComplianceIntent.project_id == investment.project_id,
            )
            .order_by(ComplianceIntent.id.desc())
            .limit(1)
        )
        if level != (last or 0):
            repo.add_freeze_intent(session, investment.recipient, investment.project_id, level, investment.id)
    if o.refund:
        repo.add_flag(
            session,
            source="mint",
            source_ref=str(investment.id),
            reason="refund_owed",
            investment_id=investment.id,
            details={"method": investment.method, "reason": investment.failure_reason},
        )
    if o.flag:
        repo.add_flag(
            session, source="stripe", source_ref=str(investment.id), reason=o.flag, investment_id=investment.id
        )
    set_status(session, investment, o.status, cause)
    return o
