"""Catalogue projects onto the chain: pending `project_intents` become `createProject` transactions of the
transaction manager, and each intent follows its transaction until the project is indexed (done) or the call
failed for good (failed, with the decoded reason). The manager's `still_needed` check keeps a createProject from
being sent again once the project exists on chain, whatever crash came between enqueue and receipt."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from web3 import Web3

from core.chain.ownership import create_project_call
from core.models import ChainProject, ProjectIntent
from relayer.outbox.worker import Chain
from relayer.tx.repository import enqueue_transaction, get_transaction
from relayer.tx.states import CANCELLED, DROPPED, FINAL, MINED, REVERTED, TxView

log = structlog.get_logger("relayer.projects")

PURPOSE = "create_project"
StillNeeded = Callable[[Session, Any], bool]


def drain_project_intents(sf: sessionmaker[Session], chain: Chain, limit: int = 20) -> int:
    """Hand pending intents of this chain to the transaction manager, one createProject each."""
    with sf.begin() as session:
        intents = session.scalars(
            select(ProjectIntent)
            .where(ProjectIntent.status == "pending", ProjectIntent.chain_id == chain.chain_id)
            .order_by(ProjectIntent.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for intent in intents:
            call = create_project_call(
                chain.ownership, int(intent.token_id), int(intent.supply_cap), intent.metadata_cid
            )
            data = bytes(Web3.to_bytes(hexstr=call._encode_transaction_data()))
            tx_id = enqueue_transaction(
                session, sender=chain.sender, to=chain.ownership.address, data=data, purpose=PURPOSE
            )
            intent.status, intent.tx_id, intent.updated_at = "submitted", tx_id, datetime.now(UTC)
            intent.attempts += 1
            log.info("create_project_queued", token_id=str(intent.token_id), tx_id=str(tx_id))
        return len(intents)


def follow_project_transactions(sf: sessionmaker[Session], chain_id: int, limit: int = 200) -> int:
    """Submitted intents: done once their transaction is in a block and the project is indexed as asked; failed
    once a revert is final; pending again when the nonce went elsewhere (the call never ran)."""
    with sf.begin() as session:
        intents = session.scalars(
            select(ProjectIntent)
            .where(
                ProjectIntent.status == "submitted",
                ProjectIntent.tx_id.is_not(None),
                ProjectIntent.chain_id == chain_id,
            )
            .order_by(ProjectIntent.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        changed = 0
        for intent in intents:
            assert intent.tx_id is not None
            if _follow(session, intent, get_transaction(session, intent.tx_id)):
                intent.updated_at = datetime.now(UTC)
                changed += 1
        return changed


def _follow(session: Session, intent: ProjectIntent, tx: TxView) -> bool:
    indexed = session.get(ChainProject, (intent.chain_id, intent.token_id))
    as_asked = indexed is not None and _same(indexed, intent)
    if tx.status in (MINED, FINAL):
        intent.tx_hash = tx.tx_hash
        if as_asked:
            intent.status = "done"
            log.info("project_created", token_id=str(intent.token_id), tx_hash=tx.tx_hash)
            return True
        return False  # mined: the indexer shows it shortly
    if tx.status == DROPPED:
        intent.status, intent.tx_id = "pending", None
        intent.last_error = f"transaction {tx.id} dropped (nonce used elsewhere)"
        return True
    if tx.status == CANCELLED or (tx.status == REVERTED and tx.is_final):
        # Cancelled: the manager found the project already on chain before (re)sending. Ours if it is exactly what
        # we asked for (an earlier send of this very intent); someone else's otherwise.
        if as_asked:
            intent.status = "done"
            return True
        if tx.status == CANCELLED and indexed is None:
            return False  # on chain, not indexed yet: judged once the index shows what it holds
        reason = tx.revert_reason if tx.status == REVERTED else f"ProjectAlreadyExists({int(intent.token_id)})"
        intent.status, intent.last_error = "failed", reason or "reverted (reason unavailable)"
        log.error("create_project_failed", token_id=str(intent.token_id), reason=intent.last_error)
        return True
    return False


def _same(indexed: ChainProject, intent: ProjectIntent) -> bool:
    return indexed.supply_cap == intent.supply_cap and indexed.metadata_cid == intent.metadata_cid


def project_still_needed(chain: Chain, otherwise: StillNeeded) -> StillNeeded:
    """The manager's check before a transaction first gets a nonce, and after a restart: a createProject is no
    longer needed once the project exists on chain (an earlier send of it was mined, or someone else created it)."""

    def still_needed(session: Session, tx: Any) -> bool:
        if getattr(tx, "purpose", None) != PURPOSE:
            return otherwise(session, tx)
        token_id = session.scalar(select(ProjectIntent.token_id).where(ProjectIntent.tx_id == tx.id))
        if token_id is None:
            return True
        exists = chain.ownership.functions.project(int(token_id)).call()[2]
        return not bool(exists)

    return still_needed
