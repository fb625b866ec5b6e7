"""The relayer's passes, each one database transaction: judge payments, settle investments against the index,
and drain intents into the transaction manager (`FOR UPDATE SKIP LOCKED`, so several workers never take the same
row). A pass that fails leaves its rows as they were; the next pass retries them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import stripe
import structlog
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker
from web3 import Web3
from web3.contract import Contract

from core.chain.ownership import Mint, allow_call, forced_transfer_call, freeze_call, mint_batch_call, mint_call
from core.compliance import queue_allow
from core.investments import find_by_payment_ref
from core.models.chain_payments import ChainMint
from core.models.investments import Investment
from core.models.payments import ComplianceIntent, MintIntent, PaymentFlag, StripeEvent
from relayer.custody import Custody
from relayer.metrics import CRYPTO_PAYMENTS, EVENTS_PROCESSED, MINT_BATCH_SIZE, MINT_INTENTS, MINTS_FAILED
from relayer.outbox.views import bool_views
from relayer.payments import repository as repo
from relayer.payments.crypto import Expected, Paid, judge
from relayer.payments.settle import settle
from relayer.payments.stripe_events import EventRejected, FetchIntent, apply_event
from relayer.tx.repository import enqueue_transaction, get_transaction

log = structlog.get_logger("relayer.worker")


@dataclass
class Chain:
    """What the passes need of the chain: the ownership contract, the relayer's address and the treasury."""

    w3: Web3
    chain_id: int
    ownership: Contract
    sender: str
    treasury: str
    accepted_tokens: frozenset[str]
    token_decimals: Callable[[str], int | None]


# ----- Stripe events -----------------------------------------------------------------------------


# An event whose processing keeps failing (an outage of Stripe's API, a bug) is given up after this many tries and
# flagged for an admin, so that it never blocks the events behind it.
MAX_EVENT_ATTEMPTS = 5


def process_stripe_events(
    sf: sessionmaker[Session], custody: Custody, fetch_intent: FetchIntent | None, limit: int = 50
) -> int:
    """Process stored events, fewest attempts then oldest first, each in its own transaction with its investment
    locked. A failure rolls back that event's work only; it is counted and retried on a later pass."""
    done = 0
    skip: set[str] = set()
    for _ in range(limit):
        event_id: str | None = None
        try:
            with sf.begin() as session:
                events = repo.next_unprocessed_events(session, 1, skip)
                if not events:
                    return done
                event = events[0]
                event_id = event.id
                outcome = _process_one(session, event, custody, fetch_intent)
                event.processed_at = datetime.now(UTC)
                event.outcome = outcome
                event.attempts += 1
        except Exception as exc:
            if event_id is None:
                raise
            skip.add(event_id)
            _count_failure(sf, event_id, exc)
            continue
        EVENTS_PROCESSED.labels(outcome=outcome).inc()
        done += 1
    return done


def _count_failure(sf: sessionmaker[Session], event_id: str, exc: Exception) -> None:
    error = f"{type(exc).__name__}: {exc}"[:300]
    with sf.begin() as session:
        event = session.get(StripeEvent, event_id, with_for_update=True)
        if event is None:
            return
        event.attempts += 1
        event.outcome = f"retrying: {error}"
        if event.attempts >= MAX_EVENT_ATTEMPTS:
            event.processed_at, event.outcome = datetime.now(UTC), "processing_failed"
            repo.add_flag(
                session, source="stripe", source_ref=event_id, reason="processing_failed", details={"error": error}
            )
    log.error("stripe_event_failed", event_id=event_id, error=error)
    EVENTS_PROCESSED.labels(outcome="error").inc()


def _process_one(session: Session, event: StripeEvent, custody: Custody, fetch_intent: FetchIntent | None) -> str:
    try:
        with session.begin_nested():  # a rejected event rolls back its own changes, not the processed mark
            outcome = apply_event(session, event.id, event.payload, custody, fetch_intent)
    except EventRejected as exc:
        log.warning("stripe_event_rejected", event_id=event.id, type=event.type, code=exc.code, reason=str(exc))
        return exc.code
    log.info("stripe_event_processed", event_id=event.id, type=event.type, outcome=outcome)
    return outcome


# ----- crypto payments ---------------------------------------------------------------------------


def judge_crypto_payments(sf: sessionmaker[Session], chain: Chain, custody: Custody, limit: int = 200) -> int:
    with sf.begin() as session:
        payments = repo.unseen_final_payments(session, chain.chain_id, limit)
        for p in payments:
            investment = find_by_payment_ref(session, p.payment_ref, lock=True)
            paid = Paid(p.payment_ref, p.payer, int(p.project_id), p.token, int(p.amount))
            expected = None
            if investment is not None:
                expected = Expected(
                    investment.method,
                    investment.investor_wallet,
                    int(investment.project_id),
                    investment.amount_cents,
                    investment.paid_at is not None,
                )
            reason = judge(paid, expected, chain.accepted_tokens, chain.token_decimals(p.token))
            where = f"{p.tx_hash}:{p.log_index}"
            if reason is not None:
                repo.add_flag(
                    session,
                    source="chain",
                    source_ref=where,
                    reason=reason,
                    investment_id=investment.id if investment is not None else None,
                    details={"payer": p.payer, "token": p.token, "amount": str(p.amount), "ref": p.payment_ref},
                )
                log.warning("crypto_payment_flagged", payment=where, reason=reason, ref=p.payment_ref)
            else:
                assert investment is not None
                investment.paid_at = datetime.now(UTC)
                investment.paid_amount_cents = investment.amount_cents
                settle(session, investment, f"chain:{where} PaymentReceived (final)", custody)
            repo.mark_payment_seen(session, p, investment.id if investment else None, reason or "confirmed")
            CRYPTO_PAYMENTS.labels(outcome=reason or "confirmed").inc()
        return len(payments)


# ----- the index: completed once indexed, final past finality ------------------------------------


def follow_index(sf: sessionmaker[Session], chain_id: int, custody: Custody, limit: int = 500) -> int:
    """Settle investments the index may have moved; mark their intents done once their mint is indexed."""
    with sf.begin() as session:
        settled = repo.complete_plain_mints(session, chain_id, limit)
        indexed = select(ChainMint.payment_ref).where(
            ChainMint.chain_id == Investment.chain_id, ChainMint.payment_ref == Investment.payment_ref
        )
        final = indexed.where(ChainMint.final.is_(True))
        has_facts = (
            (Investment.refunded_cents > 0)
            | Investment.dispute_status.is_not(None)
            | Investment.failure_reason.is_not(None)
        )
        rows = session.scalars(
            select(Investment)
            .where(
                Investment.chain_id == chain_id,
                or_(
                    Investment.status == "disputed",
                    # Minting and not indexed yet: nothing can have changed. Indexed with no fact beyond the payment:
                    # complete_plain_mints above moves those in bulk; here only the rest, one by one.
                    (Investment.status == "paid") & indexed.exists(),
                    (Investment.status == "minting") & indexed.exists() & has_facts,
                    (Investment.status == "completed") & (~indexed.exists() | (final.exists() & has_facts)),
                    (Investment.status == "final") & ~final.exists(),
                ),
            )
            .order_by(Investment.updated_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for investment in rows:
            mint = repo.indexed_mint(session, chain_id, investment.payment_ref)
            if mint is not None:
                investment.mint_tx_hash, investment.mint_block = mint.tx_hash, mint.block_number
                session.execute(
                    update(MintIntent)
                    .where(MintIntent.investment_id == investment.id, MintIntent.status == "submitted")
                    .values(status="done", updated_at=datetime.now(UTC))
                )
                cause = f"index:{mint.tx_hash} block {mint.block_number}" + (" (final)" if mint.final else "")
            else:
                cause = "index: mint not (or no longer) indexed"
            settle(session, investment, cause, custody)
        return settled + len(rows)


# ----- mint intents → transactions ---------------------------------------------------------------


# Most mint transactions one pass hands over: a pass every second with one batch could never mint more than one
# batch a second, whatever the block holds.
MINT_BATCHES_PER_PASS = 10


def drain_mint_intents(sf: sessionmaker[Session], chain: Chain, batch_size: int) -> int:
    """Hand waiting intents to the transaction manager: mintInvestmentBatch calls of up to `batch_size` of them,
    at most MINT_BATCHES_PER_PASS a pass (an intent whose batch reverted goes alone). Recipients not yet on the
    allowlist wait for it."""
    with sf.begin() as session:
        intents = session.scalars(
            select(MintIntent)
            .where(MintIntent.status == "pending")
            .order_by(MintIntent.alone.desc(), MintIntent.id)
            .limit(batch_size * MINT_BATCHES_PER_PASS)
            .with_for_update(skip_locked=True)
        ).all()
        if not intents:
            return 0
        recipients = sorted({i.recipient for i in intents})
        allowed = dict(zip(recipients, _are_allowed(chain, recipients), strict=True))
        ready = [i for i in intents if allowed[i.recipient]]
        groups: list[list[MintIntent]] = [[i] for i in ready if i.alone]
        together = [i for i in ready if not i.alone]
        groups += [together[k : k + batch_size] for k in range(0, len(together), batch_size)]
        groups = groups[:MINT_BATCHES_PER_PASS]
        ready = [i for group in groups for i in group]
        for group in groups:
            mints = [
                Mint(int(i.project_id), Web3.to_checksum_address(i.recipient), i.amount, _ref(i.payment_ref))
                for i in group
            ]
            call = mint_call(chain.ownership, mints[0]) if len(mints) == 1 else mint_batch_call(chain.ownership, mints)
            tx_id = enqueue_transaction(
                session, sender=chain.sender, to=chain.ownership.address, data=_calldata(call), purpose="mint"
            )
            now = datetime.now(UTC)
            for intent in group:
                intent.status, intent.tx_id, intent.updated_at = "submitted", tx_id, now
                intent.attempts += 1
            # what rules.owed says of a paid investment whose intent is submitted, written for the whole batch
            repo.mark_minting(session, [i.investment_id for i in group], f"outbox: mint handed to transaction {tx_id}")
            MINT_INTENTS.inc(len(group))
            MINT_BATCH_SIZE.observe(len(group))
        return len(ready)


def follow_mint_transactions(sf: sessionmaker[Session], custody: Custody, limit: int = 500) -> int:
    """Intents whose transaction reverted: a batch splits into lone retries; a lone mint fails for good, with the
    decoded reason, and its payment goes to refund. Never retried forever."""
    with sf.begin() as session:
        intents = session.scalars(
            select(MintIntent)
            .where(MintIntent.status == "submitted", MintIntent.tx_id.is_not(None))
            .order_by(MintIntent.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        by_tx: dict[uuid.UUID, list[MintIntent]] = {}
        for intent in intents:
            assert intent.tx_id is not None
            by_tx.setdefault(intent.tx_id, []).append(intent)
        changed = 0
        for tx_id, group in by_tx.items():
            tx = get_transaction(session, tx_id)
            if tx.status == "cancelled":  # the manager found every reference already minted: the index will show it
                for intent in group:
                    intent.status = "done"
                changed += len(group)
            elif tx.status == "reverted" and (len(group) > 1 or tx.is_final):
                # A batch splits at once (a lone retry of an already used reference reverts harmlessly); a lone
                # mint fails only once its revert is final, since a reorg could still send it again and mine it.
                changed += len(group)
                _after_revert(session, group, tx.revert_reason or "reverted (reason unavailable)", custody)
            elif tx.status == "dropped":  # its nonce went to a transaction not ours: the call never ran, send again
                for intent in group:
                    intent.status, intent.tx_id, intent.updated_at = "pending", None, datetime.now(UTC)
                    intent.last_error = f"transaction {tx_id} dropped (nonce used elsewhere)"
                changed += len(group)
        return changed


def _after_revert(session: Session, group: Sequence[MintIntent], reason: str, custody: Custody) -> None:
    now = datetime.now(UTC)
    if len(group) > 1:
        for intent in group:
            intent.status, intent.alone, intent.tx_id, intent.updated_at = "pending", True, None, now
            intent.last_error = f"batch reverted: {reason}"
        log.warning("mint_batch_reverted", size=len(group), reason=reason)
        return
    intent = group[0]
    if reason.startswith("PaymentRefAlreadyUsed"):  # minted by an earlier transaction: the index will show it
        intent.status, intent.updated_at = "done", now
        return
    intent.status, intent.last_error, intent.updated_at = "failed", reason, now
    investment = session.get(Investment, intent.investment_id, with_for_update=True)
    assert investment is not None
    investment.failure_reason = f"mint reverted: {reason}"
    settle(session, investment, f"mint reverted: {reason}", custody)
    MINTS_FAILED.inc()
    log.error("mint_failed", investment_id=str(investment.id), reason=reason)


# ----- compliance intents → transactions ---------------------------------------------------------


def drain_compliance_intents(sf: sessionmaker[Session], chain: Chain, limit: int = 200) -> int:
    """Allowlist entries go out together in one setAllowedBatch; each freeze level and clawback alone, in id order."""
    with sf.begin() as session:
        intents = session.scalars(
            select(ComplianceIntent)
            .where(ComplianceIntent.status == "pending")
            .order_by(ComplianceIntent.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        allows = [i for i in intents if i.kind == "allow"]
        if any(i.kind == "clawback" for i in intents):  # the treasury receives clawed-back tokens
            queue_allow(session, chain.treasury)
        if allows:
            call = allow_call(chain.ownership, [Web3.to_checksum_address(i.account) for i in allows])
            _submit(session, chain, allows, call, "allow")
        for intent in intents:
            if intent.kind == "freeze":
                assert intent.project_id is not None and intent.amount is not None
                call = freeze_call(chain.ownership, intent.account, int(intent.project_id), intent.amount)
                _submit(session, chain, [intent], call, "freeze")
            elif intent.kind == "clawback":
                if not _is_allowed(chain, chain.treasury):
                    break  # after the treasury's allowlist entry; what comes after it (a freeze level) waits too
                assert intent.project_id is not None and intent.amount is not None
                call = forced_transfer_call(
                    chain.ownership, intent.account, chain.treasury, int(intent.project_id), intent.amount
                )
                _submit(session, chain, [intent], call, "clawback")
        return len(intents)


def follow_compliance_transactions(sf: sessionmaker[Session], custody: Custody, limit: int = 500) -> int:
    with sf.begin() as session:
        intents = session.scalars(
            select(ComplianceIntent)
            .where(ComplianceIntent.status == "submitted", ComplianceIntent.tx_id.is_not(None))
            .order_by(ComplianceIntent.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for intent in intents:
            assert intent.tx_id is not None
            tx = get_transaction(session, intent.tx_id)
            if tx.status in ("mined", "final"):
                intent.status = "done"
            elif tx.status == "dropped":
                intent.status, intent.tx_id = "pending", None
            elif tx.status == "reverted":
                intent.status, intent.last_error = "failed", tx.revert_reason
                repo.add_flag(
                    session,
                    source="compliance",
                    source_ref=str(intent.id),
                    reason=f"{intent.kind}_reverted",
                    investment_id=intent.investment_id,
                    details={"reason": tx.revert_reason},
                )
            else:
                continue
            intent.updated_at = datetime.now(UTC)
            if intent.investment_id is not None and intent.status == "done":
                investment = session.get(Investment, intent.investment_id, with_for_update=True)
                if investment is not None:
                    settle(session, investment, f"{intent.kind} transaction {tx.id} mined", custody)
        return len(intents)


# ----- refunds owed ------------------------------------------------------------------------------


def request_refunds(sf: sessionmaker[Session], refund: Callable[[str, str], str], limit: int = 20) -> int:
    """Ask Stripe to refund each card payment whose mint can never happen (`refund_owed` flags). The idempotency
    key is the investment's, so a retried request never refunds twice; the flag stays open until Stripe's
    `charge.refunded` arrives. Crypto refunds stay flagged for an admin: the relayer holds no treasury key."""
    with sf.begin() as session:
        rows = session.execute(
            select(PaymentFlag, Investment)
            .join(Investment, Investment.id == PaymentFlag.investment_id)
            .where(
                PaymentFlag.reason == "refund_owed",
                PaymentFlag.resolved_at.is_(None),
                Investment.method == "card",
                Investment.stripe_payment_intent_id.is_not(None),
                Investment.refunded_cents < Investment.amount_cents,
            )
            .order_by(PaymentFlag.id)
            .limit(limit)
            .with_for_update(of=PaymentFlag, skip_locked=True)
        ).all()
        for flag, investment in rows:
            details = flag.details or {}
            if details.get("refund_id") or details.get("refund_error"):
                continue  # requested, or refused by Stripe for good: an admin takes it from the flag
            assert investment.stripe_payment_intent_id is not None
            try:
                refund_id = refund(investment.stripe_payment_intent_id, f"terra-refund-{investment.id}")
            except stripe.InvalidRequestError as exc:  # e.g. no such PaymentIntent: retrying cannot help
                flag.details = {**details, "refund_error": exc.code or "invalid_request"}
                log.error("refund_refused", investment_id=str(investment.id), code=exc.code)
                continue
            flag.details = {**details, "refund_id": refund_id}
            log.info("refund_requested", investment_id=str(investment.id), refund_id=refund_id)
        return len(rows)


# ----- helpers -----------------------------------------------------------------------------------


def _submit(session: Session, chain: Chain, intents: Sequence[ComplianceIntent], call: object, purpose: str) -> None:
    tx_id = enqueue_transaction(
        session, sender=chain.sender, to=chain.ownership.address, data=_calldata(call), purpose=purpose
    )
    now = datetime.now(UTC)
    for intent in intents:
        intent.status, intent.tx_id, intent.updated_at = "submitted", tx_id, now


def _calldata(call: object) -> bytes:
    return bytes(Web3.to_bytes(hexstr=call._encode_transaction_data()))  # type: ignore[attr-defined]  # ContractFunction


def _ref(hex_ref: str) -> bytes:
    return bytes.fromhex(hex_ref.removeprefix("0x"))


def _is_allowed(chain: Chain, account: str) -> bool:
    return _are_allowed(chain, [account])[0]


def _are_allowed(chain: Chain, accounts: Sequence[str]) -> list[bool]:
    return bool_views(chain.w3, chain.ownership.address, "isAllowed(address)", accounts)


def mint_still_needed(chain: Chain) -> Callable[[Session, object], bool]:
    """The transaction manager's check before a mint first gets a nonce (and after a restart): False when every
    reference of the transaction is already used on chain, so a second send is never made."""

    def still_needed(session: Session, tx: object) -> bool:
        tx_id = getattr(tx, "id")  # noqa: B009 - the manager's TxView
        refs = session.scalars(select(MintIntent.payment_ref).where(MintIntent.tx_id == tx_id)).all()
        if not refs:
            return True
        return not all(bool_views(chain.w3, chain.ownership.address, "paymentRefUsed(bytes32)", refs))

    return still_needed
