"""The relayer's distribution passes, each one database transaction with its rows locked FOR UPDATE SKIP LOCKED:
a recorded distribution goes on chain (distributeReturns), is funded (approve + fund) once the index shows it
recorded, and its custodial leaves are claimed in batches once the index shows it funded. Every call goes through
the transaction manager, its id stored on the row in the transaction that enqueues it, so nothing is enqueued
twice; the manager's `payout_still_needed` check keeps a crash from sending anything twice.

A revert fails the distribution (or the leaf) with the decoded reason, flagged for an admin, never retried forever;
a batch of claims that reverts splits into lone claims, as mint batches do."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import structlog
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from core.distributions.claims import pool_totals
from core.models.chain_ownership import ChainDistribution
from core.models.distributions import Distribution, UserDistribution
from core.models.relayer_transactions import RelayerTransaction
from relayer.distributions.chain import APPROVE, CLAIM, FUND, RECORD, PayoutChain, calldata
from relayer.metrics import CLAIM_BATCH_SIZE, DISTRIBUTIONS, FUNDS_SHORT, LEAF_CLAIMS_FAILED
from relayer.payments.repository import add_flag
from relayer.tx.repository import enqueue_transaction, get_transaction
from relayer.tx.states import TxView

log = structlog.get_logger("relayer.distributions")

# Most claim transactions one pass hands over (as for mints: a pass a second must not cap claims at one batch).
CLAIM_BATCHES_PER_PASS = 10


def _locked(session: Session, chain_id: int, status: str, limit: int) -> Sequence[Distribution]:
    return session.scalars(
        select(Distribution)
        .where(Distribution.chain_id == chain_id, Distribution.status == status)
        .order_by(Distribution.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()


def _move(d: Distribution, status: str, cause: str) -> None:
    d.status, d.updated_at = status, datetime.now(UTC)
    DISTRIBUTIONS.labels(status=status).inc()
    log.info("distribution_" + status, distribution_id=d.id, cause=cause)


def _fail(session: Session, d: Distribution, reason: str) -> None:
    before = d.status
    d.failure_reason = reason[:500]
    _move(d, "failed", reason)
    add_flag(
        session,
        source="distribution",
        source_ref=str(d.id),
        reason="distribution_failed",
        details={"reason": reason, "status_before": before},
    )
    log.error("distribution_failed", distribution_id=d.id, reason=reason)


def _enqueue(session: Session, pc: PayoutChain, to: str, call: object, purpose: str) -> uuid.UUID:
    return enqueue_transaction(session, sender=pc.sender, to=to, data=calldata(call), purpose=purpose)  # type: ignore[arg-type]  # a ContractFunction


def _gave_up(tx: TxView) -> str | None:
    """The reason a transaction will never do its call: reverted (for good) or a 'dropped' caller must resend."""
    if tx.status == "reverted" and tx.is_final:
        return tx.revert_reason or "reverted (reason unavailable)"
    return None


# ----- recorded → on chain -----------------------------------------------------------------------


def put_on_chain(sf: sessionmaker[Session], pc: PayoutChain, limit: int = 20) -> int:
    """Recorded distributions: distributeReturns once; on_chain once the index holds the same root and total."""
    with sf.begin() as session:
        rows = _locked(session, pc.chain_id, "recorded", limit)
        for d in rows:
            indexed = session.get(ChainDistribution, (pc.chain_id, d.token_id, d.id))
            if indexed is not None:
                if indexed.merkle_root == d.merkle_root and int(indexed.total_amount) == int(d.total_units):
                    _move(d, "on_chain", f"index: ReturnsDistributed in {indexed.tx_hash}")
                else:
                    _fail(session, d, f"DistributionAlreadyRecorded({int(d.token_id)}, {d.id}): another root")
            elif d.record_tx_id is None:
                d.record_tx_id = _enqueue(session, pc, pc.ownership.address, pc.record_call(d), RECORD)
                d.updated_at = datetime.now(UTC)
            else:
                tx = get_transaction(session, d.record_tx_id)
                if (reason := _gave_up(tx)) is not None:
                    _fail(session, d, reason)
                elif tx.status == "dropped":
                    d.record_tx_id = None  # its nonce went elsewhere: the call never ran
        return len(rows)


# ----- on chain → funded -------------------------------------------------------------------------


def _in_flight_funding(session: Session, pc: PayoutChain) -> int:
    """Totals of fundings enqueued and not yet mined: the relayer's balance still holds them."""
    total = session.scalar(
        select(func.coalesce(func.sum(Distribution.total_units), 0))
        .join(RelayerTransaction, RelayerTransaction.id == Distribution.fund_tx_id)
        .where(
            Distribution.chain_id == pc.chain_id,
            Distribution.status == "on_chain",
            RelayerTransaction.status.in_(("queued", "signed", "broadcast")),
        )
    )
    return int(total or 0)


def fund_distributions(sf: sessionmaker[Session], pc: PayoutChain, limit: int = 20) -> int:
    """Distributions on chain: approve the Distributor for the total and fund it, from the relayer's balance; funded
    once the index shows DistributionFunded. A balance too short for it: nothing sent, a log line and a metric."""
    with sf.begin() as session:
        rows = _locked(session, pc.chain_id, "on_chain", limit)
        available: int | None = None
        short = 0
        for d in rows:
            pool = pool_totals(session, pc.chain_id, d.id)
            if pool.funded is not None:
                if pool.funded == int(d.total_units) and pool.funded_root == d.merkle_root:
                    _move(d, "funded", "index: DistributionFunded")
                else:
                    _fail(session, d, f"DistributionAlreadyFunded({d.id}): another total or root")
                continue
            if d.fund_tx_id is None:
                if d.payout_token != pc.stablecoin.address.lower():
                    _fail(session, d, f"the Distributor pays in {pc.stablecoin.address}, not {d.payout_token}")
                    continue
                if available is None:
                    available = pc.balance() - _in_flight_funding(session, pc)
                total = int(d.total_units)
                if available < total:
                    short += 1
                    log.warning(
                        "distribution_waiting_for_funds",
                        distribution_id=d.id,
                        needed_units=total,
                        available_units=available,
                        relayer=pc.sender,
                        token=pc.stablecoin.address,
                    )
                    continue
                available -= total
                # In one database transaction, so in queue order: the fund's nonce follows the approval's.
                d.approve_tx_id = _enqueue(session, pc, pc.stablecoin.address, pc.approve_call(total), APPROVE)
                d.fund_tx_id = _enqueue(session, pc, pc.distributor.address, pc.fund_call(d), FUND)
                d.updated_at = datetime.now(UTC)
                continue
            approve = get_transaction(session, d.approve_tx_id) if d.approve_tx_id else None
            fund = get_transaction(session, d.fund_tx_id)
            reason = _gave_up(fund) or (_gave_up(approve) if approve else None)
            if reason is not None:
                _fail(session, d, reason)
            elif fund.status == "dropped" or (approve is not None and approve.status == "dropped"):
                d.approve_tx_id = d.fund_tx_id = None  # sent again, both (a second approval only sets it again)
        FUNDS_SHORT.set(short)
        return len(rows)


# ----- funded: custodial claims ------------------------------------------------------------------


def claim_custodial(sf: sessionmaker[Session], pc: PayoutChain, batch_size: int) -> int:
    """Custodial leaves of funded distributions that are neither claimed (per the index) nor in a claim transaction:
    claimBatch calls of up to `batch_size`, a leaf whose batch reverted alone."""
    with sf.begin() as session:
        leaves = session.scalars(
            select(UserDistribution)
            .join(Distribution, Distribution.id == UserDistribution.distribution_id)
            .where(
                Distribution.chain_id == pc.chain_id,
                Distribution.status == "funded",
                UserDistribution.account_kind == "custodial",
                UserDistribution.claim_tx_id.is_(None),
                UserDistribution.claim_error.is_(None),
                text(
                    "NOT EXISTS (SELECT 1 FROM chain_claims c WHERE c.chain_id = distributions.chain_id "
                    "AND c.distribution_id = distributions.id AND c.account = user_distributions.account)"
                ),
            )
            .order_by(
                UserDistribution.distribution_id, UserDistribution.claim_alone.desc(), UserDistribution.tree_index
            )
            .limit(batch_size * CLAIM_BATCHES_PER_PASS)
            .with_for_update(of=UserDistribution, skip_locked=True)
        ).all()
        groups: list[list[UserDistribution]] = []
        by_distribution: dict[int, list[UserDistribution]] = {}
        for leaf in leaves:
            if leaf.claim_alone:
                groups.append([leaf])
            else:
                by_distribution.setdefault(leaf.distribution_id, []).append(leaf)
        for together in by_distribution.values():
            groups += [together[k : k + batch_size] for k in range(0, len(together), batch_size)]
        groups = groups[:CLAIM_BATCHES_PER_PASS]
        for group in groups:
            call = pc.claim_call(group[0].distribution_id, group)
            tx_id = _enqueue(session, pc, pc.distributor.address, call, CLAIM)
            for leaf in group:
                leaf.claim_tx_id = tx_id
            CLAIM_BATCH_SIZE.observe(len(group))
        return sum(len(g) for g in groups)


def follow_claims(sf: sessionmaker[Session], limit: int = 1_000) -> int:
    """Leaves whose claim transaction reverted or was dropped: a batch splits into lone claims; a lone claim that
    reverted for good fails the leaf (flagged), unless the leaf was already claimed (the index shows that claim)."""
    with sf.begin() as session:
        leaves = session.scalars(
            select(UserDistribution)
            .join(RelayerTransaction, RelayerTransaction.id == UserDistribution.claim_tx_id)
            .where(
                UserDistribution.claim_error.is_(None),
                RelayerTransaction.status.in_(("reverted", "dropped")),
                # claimed, as the index shows (by an earlier transaction, or by anyone): nothing left to follow
                text(
                    "NOT EXISTS (SELECT 1 FROM chain_claims c JOIN distributions d ON d.id = c.distribution_id "
                    "AND d.chain_id = c.chain_id WHERE c.distribution_id = user_distributions.distribution_id "
                    "AND c.account = user_distributions.account)"
                ),
            )
            .order_by(UserDistribution.claim_tx_id, UserDistribution.tree_index)
            .limit(limit)
            .with_for_update(of=UserDistribution, skip_locked=True)
        ).all()
        by_tx: dict[uuid.UUID, list[UserDistribution]] = {}
        for leaf in leaves:
            assert leaf.claim_tx_id is not None
            by_tx.setdefault(leaf.claim_tx_id, []).append(leaf)
        changed = 0
        for tx_id, group in by_tx.items():
            tx = get_transaction(session, tx_id)
            reason = tx.revert_reason or "reverted (reason unavailable)"
            if tx.status == "dropped":
                for leaf in group:
                    leaf.claim_tx_id = None
            elif _leaves_in(session, tx_id) > 1:  # a batch splits at once (its leaves not claimed yet go alone)
                for leaf in group:
                    leaf.claim_tx_id, leaf.claim_alone = None, True
                log.warning("claim_batch_reverted", size=len(group), reason=reason)
            elif not tx.is_final or reason.startswith("AlreadyClaimed"):
                continue  # a reorg may still mine it; or claimed by an earlier transaction, as the index shows
            else:
                _fail_leaf(session, group[0], reason)
            changed += len(group)
        return changed


def _leaves_in(session: Session, tx_id: uuid.UUID) -> int:
    count = session.scalar(select(func.count()).where(UserDistribution.claim_tx_id == tx_id))
    return int(count or 0)


def _fail_leaf(session: Session, leaf: UserDistribution, reason: str) -> None:
    leaf.claim_error = reason[:500]
    add_flag(
        session,
        source="distribution",
        source_ref=f"{leaf.distribution_id}:{leaf.account}",
        reason="claim_failed",
        details={"reason": reason, "amount_units": str(leaf.amount_units)},
    )
    LEAF_CLAIMS_FAILED.inc()
    log.error("claim_failed", distribution_id=leaf.distribution_id, account=leaf.account, reason=reason)


def close_swept(sf: sessionmaker[Session], chain_id: int, limit: int = 50) -> int:
    """Funded distributions whose unclaimed funds the index shows swept: closed."""
    with sf.begin() as session:
        rows = _locked(session, chain_id, "funded", limit)
        closed = 0
        for d in rows:
            if pool_totals(session, chain_id, d.id).swept is not None:
                _move(d, "closed", "index: Swept")
                closed += 1
        return closed
