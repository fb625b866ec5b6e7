"""SQL of the payment side: mint state from the outbox and the index, intents, flags, events. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core.models.accounts import User
from core.models.chain_payments import ChainMint, ChainPayment
from core.models.investments import CustodialAccount, Investment
from core.models.payments import ComplianceIntent, CryptoPaymentSeen, MintIntent, PaymentFlag, StripeEvent
from relayer.payments.rules import Mint


def indexed_mint(session: Session, chain_id: int, payment_ref: str) -> ChainMint | None:
    return session.get(ChainMint, (chain_id, payment_ref))


def mint_intent(session: Session, investment_id: uuid.UUID) -> MintIntent | None:
    return session.scalars(select(MintIntent).where(MintIntent.investment_id == investment_id)).one_or_none()


def mint_state(session: Session, investment: Investment) -> Mint:
    mint = indexed_mint(session, investment.chain_id, investment.payment_ref)
    if mint is not None:
        return Mint.FINAL if mint.final else Mint.INDEXED
    intent = mint_intent(session, investment.id)
    if intent is None or intent.status in ("cancelled", "failed"):
        return Mint.NONE
    # 'done' without an indexed mint: mined but not indexed yet, or dropped by a reorg and being re-sent
    return Mint.PENDING if intent.status == "pending" else Mint.SUBMITTED


def clawed_back(session: Session, investment_id: uuid.UUID) -> bool:
    status = session.scalar(
        select(ComplianceIntent.status).where(
            ComplianceIntent.investment_id == investment_id, ComplianceIntent.kind == "clawback"
        )
    )
    return status == "done"


def upsert_mint_intent(session: Session, investment: Investment, recipient: str) -> MintIntent:
    """The investment's intent, pending: created, or revived after a cancellation (a dispute won before the mint)."""
    intent = mint_intent(session, investment.id)
    now = datetime.now(UTC)
    if intent is None:
        intent = MintIntent(
            investment_id=investment.id,
            project_id=investment.project_id,
            recipient=recipient,
            amount=investment.amount_cents,
            payment_ref=investment.payment_ref,
            status="pending",
            created_at=now,
            updated_at=now,
        )
        session.add(intent)
    elif intent.status == "cancelled":
        intent.status, intent.tx_id, intent.updated_at = "pending", None, now
    session.flush()
    return intent


def cancel_pending_intent(session: Session, investment_id: uuid.UUID, reason: str) -> bool:
    result = session.execute(
        update(MintIntent)
        .where(MintIntent.investment_id == investment_id, MintIntent.status == "pending")
        .values(status="cancelled", last_error=reason, updated_at=datetime.now(UTC))
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult


def add_flag(
    session: Session,
    *,
    source: str,
    source_ref: str,
    reason: str,
    investment_id: uuid.UUID | None = None,
    details: dict[str, Any] | None = None,
) -> bool:
    """Flag for an admin, once per (source, reference, reason); True when the flag is new."""
    stmt = (
        insert(PaymentFlag)
        .values(source=source, source_ref=source_ref, reason=reason, investment_id=investment_id, details=details)
        .on_conflict_do_nothing(constraint="uq_payment_flags_source_ref_reason")
        .returning(PaymentFlag.id)
    )
    return session.execute(stmt).scalar() is not None


def resolve_flags(session: Session, investment_id: uuid.UUID, reason: str, cause: str) -> None:
    session.execute(
        update(PaymentFlag)
        .where(
            PaymentFlag.investment_id == investment_id, PaymentFlag.reason == reason, PaymentFlag.resolved_at.is_(None)
        )
        .values(
            resolved_at=datetime.now(UTC),
            details=func.coalesce(PaymentFlag.details, text("'{}'::jsonb")).op("||")(
                func.jsonb_build_object("resolved_by", cause)
            ),
        )
    )


def open_flags(session: Session) -> Sequence[PaymentFlag]:
    return session.scalars(select(PaymentFlag).where(PaymentFlag.resolved_at.is_(None)).order_by(PaymentFlag.id)).all()


# ----- compliance intents ------------------------------------------------------------------------


# The conflict targets' predicates are literals, as in the partial unique indexes: a bound parameter there stops
# matching the index once psycopg prepares the statement (6th execution on a connection) and the insert fails.


def ensure_clawback_intent(session: Session, investment: Investment, amount: int) -> None:
    assert investment.recipient is not None
    session.execute(
        insert(ComplianceIntent)
        .values(
            kind="clawback",
            account=investment.recipient,
            project_id=investment.project_id,
            amount=amount,
            investment_id=investment.id,
            status="pending",
        )
        .on_conflict_do_nothing(index_elements=["investment_id"], index_where=text("kind = 'clawback'"))
    )


def disputed_amount(session: Session, chain_id: int, account: str, project_id: Decimal) -> int:
    """What should be frozen of (account, project): the investments minted there whose dispute is open."""
    total = session.scalar(
        select(func.coalesce(func.sum(Investment.amount_cents), 0))
        .join(
            ChainMint, (ChainMint.chain_id == Investment.chain_id) & (ChainMint.payment_ref == Investment.payment_ref)
        )
        .where(
            Investment.chain_id == chain_id,
            Investment.recipient == account,
            Investment.project_id == project_id,
            Investment.dispute_status == "open",
        )
    )
    return int(total or 0)


def add_freeze_intent(
    session: Session, account: str, project_id: Decimal, amount: int, investment_id: uuid.UUID
) -> None:
    """A new frozen level for (account, project); intents go out in id order, so the newest level wins on chain."""
    session.add(
        ComplianceIntent(
            kind="freeze", account=account, project_id=project_id, amount=amount, investment_id=investment_id
        )
    )
    session.flush()


# ----- custodial accounts ------------------------------------------------------------------------


def custodial_account(session: Session, user_id: uuid.UUID) -> CustodialAccount:
    """The user's custodial account row, created with the next free index the first time."""
    session.execute(insert(CustodialAccount).values(user_id=user_id).on_conflict_do_nothing(index_elements=["user_id"]))
    account = session.get(CustodialAccount, user_id)
    assert account is not None
    return account


def custodial_accounts_to_allow(session: Session, limit: int) -> Sequence[CustodialAccount]:
    """Custodial accounts of KYC-verified users still without an address, or whose address has no allowlist intent
    (the API creates the row on approval; only the relayer can derive the address). Claimed SKIP LOCKED."""
    has_intent = (
        select(ComplianceIntent.id)
        .where(ComplianceIntent.kind == "allow", ComplianceIntent.account == CustodialAccount.address)
        .exists()
    )
    return session.scalars(
        select(CustodialAccount)
        .join(User, User.id == CustodialAccount.user_id)
        .where(User.kyc_status == "verified", or_(CustodialAccount.address.is_(None), ~has_intent))
        .order_by(CustodialAccount.account_index)
        .limit(limit)
        .with_for_update(of=CustodialAccount, skip_locked=True)
    ).all()


# ----- intake ------------------------------------------------------------------------------------


def store_stripe_event(
    session: Session, event_id: str, event_type: str, livemode: bool, payload: dict[str, Any]
) -> bool:
    """Store a verified event once; True when it is new (a replay of a stored event is a no-op)."""
    stmt = (
        insert(StripeEvent)
        .values(id=event_id, type=event_type, livemode=livemode, payload=payload)
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(StripeEvent.id)
    )
    return session.execute(stmt).scalar() is not None


def next_unprocessed_events(session: Session, limit: int, skip: Collection[str] = ()) -> Sequence[StripeEvent]:
    stmt = select(StripeEvent).where(StripeEvent.processed_at.is_(None))
    if skip:
        stmt = stmt.where(StripeEvent.id.not_in(list(skip)))
    return session.scalars(
        stmt.order_by(StripeEvent.attempts, StripeEvent.received_at, StripeEvent.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()


def unseen_final_payments(session: Session, chain_id: int, limit: int) -> Sequence[ChainPayment]:
    seen = select(CryptoPaymentSeen.payment_ref).where(
        CryptoPaymentSeen.chain_id == ChainPayment.chain_id,
        CryptoPaymentSeen.payment_ref == ChainPayment.payment_ref,
        CryptoPaymentSeen.payer == ChainPayment.payer,
    )
    return session.scalars(
        select(ChainPayment)
        .where(ChainPayment.chain_id == chain_id, ChainPayment.final.is_(True), ~seen.exists())
        .order_by(ChainPayment.block_number, ChainPayment.log_index)
        .limit(limit)
    ).all()


def mark_payment_seen(session: Session, payment: ChainPayment, investment_id: uuid.UUID | None, outcome: str) -> bool:
    stmt = (
        insert(CryptoPaymentSeen)
        .values(
            chain_id=payment.chain_id,
            payment_ref=payment.payment_ref,
            payer=payment.payer,
            investment_id=investment_id,
            outcome=outcome,
        )
        .on_conflict_do_nothing()
        .returning(CryptoPaymentSeen.payment_ref)
    )
    return session.execute(stmt).scalar() is not None


# ----- the common cases in bulk (what rules.owed gives for them, written for many rows in one statement) --------

_MARK_MINTING = text(
    """
    WITH target AS (
        SELECT id, status FROM investments WHERE id = ANY(:ids) AND status <> 'minting' ORDER BY id FOR UPDATE
    ), moved AS (
        UPDATE investments i SET status = 'minting', updated_at = now() FROM target t WHERE i.id = t.id
    )
    INSERT INTO investment_status_history (investment_id, from_status, to_status, at, cause)
    SELECT id, status, 'minting', now(), :cause FROM target
    """
)


def mark_minting(session: Session, investment_ids: Sequence[uuid.UUID], cause: str) -> None:
    """Paid investments whose intents were just handed to a transaction: `minting` (rules.owed: Mint.SUBMITTED)."""
    session.execute(_MARK_MINTING, {"ids": list(investment_ids), "cause": cause})


_COMPLETE_PLAIN_MINTS = text(
    """
    WITH target AS (
        SELECT i.id, i.status AS old, CASE WHEN m.final THEN 'final' ELSE 'completed' END AS new,
               m.tx_hash, m.block_number, m.final
        FROM investments i
        JOIN chain_mints m ON m.chain_id = i.chain_id AND m.payment_ref = i.payment_ref
        WHERE i.chain_id = :chain_id AND i.status IN ('minting', 'completed')
          AND i.refunded_cents = 0 AND i.dispute_status IS NULL AND i.failure_reason IS NULL
          AND i.status <> CASE WHEN m.final THEN 'final' ELSE 'completed' END
        ORDER BY i.id
        LIMIT :limit
        FOR UPDATE OF i SKIP LOCKED
    ), moved AS (
        UPDATE investments i SET status = t.new, mint_tx_hash = t.tx_hash, mint_block = t.block_number,
               updated_at = now()
        FROM target t WHERE i.id = t.id
    ), history AS (
        INSERT INTO investment_status_history (investment_id, from_status, to_status, at, cause)
        SELECT id, old, new, now(),
               'index:' || tx_hash || ' block ' || block_number || CASE WHEN final THEN ' (final)' ELSE '' END
        FROM target
    ), done AS (
        UPDATE mint_intents SET status = 'done', updated_at = now()
        WHERE investment_id IN (SELECT id FROM target) AND status = 'submitted'
    )
    SELECT count(*) FROM target
    """
)


def complete_plain_mints(session: Session, chain_id: int, limit: int) -> int:
    """Investments with nothing but a payment and an indexed mint (no refund, dispute or failure): `completed`, or
    `final` past finality, with the mint's transaction and block (rules.owed: Mint.INDEXED / Mint.FINAL with no
    other fact). Everything else is settled one by one."""
    return int(session.execute(_COMPLETE_PLAIN_MINTS, {"chain_id": chain_id, "limit": limit}).scalar() or 0)
