"""Exit requests → `exitProject` through the transaction manager, once the exit distribution (when there is one) is
on chain: holders' final payout is recorded before their tokens freeze. Done when the transaction is mined (the
index then shows the exit); a revert fails the request and flags it for an admin, never retried."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from web3 import Web3

from core.models.chain_ownership import ChainDistribution, ChainExit
from core.models.exits import ProjectExitRequest
from relayer.outbox.worker import Chain, _calldata
from relayer.payments import repository as repo
from relayer.tx.repository import enqueue_transaction, get_transaction

log = structlog.get_logger(__name__)


def _distribution_on_chain(session: Session, request: ProjectExitRequest) -> bool:
    if request.exit_distribution_id is None:
        return True
    key = (request.chain_id, request.token_id, request.exit_distribution_id)
    return session.get(ChainDistribution, key) is not None


def drain_exit_requests(sf: sessionmaker[Session], chain: Chain, limit: int = 20) -> int:
    with sf.begin() as session:
        requests = session.scalars(
            select(ProjectExitRequest)
            .where(ProjectExitRequest.status == "pending", ProjectExitRequest.chain_id == chain.chain_id)
            .order_by(ProjectExitRequest.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        sent = 0
        now = datetime.now(UTC)
        for request in requests:
            if session.get(ChainExit, (request.chain_id, request.token_id)) is not None:
                request.status, request.updated_at = "done", now  # exited already (by hand, or a lost answer)
                continue
            if not _distribution_on_chain(session, request):
                continue  # its exit distribution goes first; the payouts pass puts it on chain
            call = chain.ownership.functions.exitProject(
                int(request.token_id), Web3.to_checksum_address(request.community_dao)
            )
            request.tx_id = enqueue_transaction(
                session, sender=chain.sender, to=chain.ownership.address, data=_calldata(call), purpose="exit"
            )
            request.status, request.updated_at = "submitted", now
            sent += 1
        return sent


def follow_exit_transactions(sf: sessionmaker[Session], limit: int = 100) -> int:
    with sf.begin() as session:
        requests = session.scalars(
            select(ProjectExitRequest)
            .where(ProjectExitRequest.status == "submitted", ProjectExitRequest.tx_id.is_not(None))
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for request in requests:
            assert request.tx_id is not None
            tx = get_transaction(session, request.tx_id)
            if tx.status in ("mined", "final"):
                request.status = "done"
            elif tx.status == "dropped":
                request.status, request.tx_id = "pending", None
            elif tx.status == "reverted" and (tx.revert_reason or "").startswith("ProjectIsExited"):
                request.status = "done"  # an earlier transaction of ours (or an admin by hand) exited it already
            elif tx.status == "reverted":
                request.status, request.failure_reason = "failed", tx.revert_reason
                repo.add_flag(
                    session,
                    source="exit",
                    source_ref=str(request.id),
                    reason="exit_reverted",
                    details={"reason": tx.revert_reason, "token_id": str(int(request.token_id))},
                )
                log.error("exit_failed", request_id=str(request.id), reason=tx.revert_reason)
            else:
                continue
            request.updated_at = datetime.now(UTC)
        return len(requests)
