"""Decisions of the distribution routes: which leaf a caller may see, whether it can still be claimed from a
wallet, the claim transaction to sign (encoded with the committed ABI; nothing is signed here), and the admin's
recording through core.distributions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from sqlalchemy.orm import Session
from web3 import Web3

from api.distributions import repository as repo
from api.distributions.errors import (
    REFUSALS,
    AlreadyClaimed,
    ClaimedByPlatform,
    DistributionClosed,
    DistributionNotFound,
    DistributionNotFunded,
)
from api.distributions.schemas import ClaimOut, DistributionCreate, DistributionOut, ProofOut, TransactionOut
from api.errors import InternalError
from core.chain.abis import DISTRIBUTOR, load_abi
from core.chain.deployments import load_deployment
from core.distributions.payout import payout_token
from core.distributions.record import DistributionRefused, DistributionRequest, record_distribution
from core.models.distributions import Distribution, UserDistribution


@cache
def distributor_address(deployments_dir: Path, chain_id: int) -> str:
    return load_deployment(deployments_dir, chain_id).address(DISTRIBUTOR)


def claim_calldata(distributor: str, leaf: UserDistribution) -> str:
    contract = Web3().eth.contract(address=Web3.to_checksum_address(distributor), abi=load_abi(DISTRIBUTOR))
    args = [leaf.distribution_id, Web3.to_checksum_address(leaf.account), int(leaf.amount_units), leaf.proof]
    return str(contract.encode_abi("claim", args=args))


@dataclass(frozen=True)
class Leaf:
    distribution: Distribution
    leaf: UserDistribution
    distributor: str
    claim: repo.ClaimSeen | None


def _leaf(
    session: Session, deployments_dir: Path, user_id: uuid.UUID, distribution_id: int, account: str | None
) -> Leaf:
    d = repo.distribution(session, distribution_id)
    if d is None:
        raise DistributionNotFound()
    mine = repo.user_addresses(session, user_id)
    wanted = [account.lower()] if account is not None else mine
    leaves = repo.leaves_of(session, distribution_id, [a for a in wanted if a in mine])
    if not leaves:
        raise DistributionNotFound()  # another user's share looks exactly like none
    leaf = next((x for x in leaves if x.account_kind == "wallet"), leaves[0])
    distributor = distributor_address(deployments_dir, d.chain_id)
    return Leaf(d, leaf, distributor, repo.claim_seen(session, d.chain_id, distributor, d.id, leaf.account))


def proof(
    session: Session, deployments_dir: Path, user_id: uuid.UUID, distribution_id: int, account: str | None
) -> ProofOut:
    found = _leaf(session, deployments_dir, user_id, distribution_id, account)
    d, leaf, claim = found.distribution, found.leaf, found.claim
    return ProofOut(
        distribution_id=d.id,
        project_token_id=str(int(d.token_id)),
        account=leaf.account,
        account_kind=leaf.account_kind,  # type: ignore[arg-type]  # the table's check keeps it to the two
        amount_cents=leaf.amount_cents,
        amount_units=str(int(leaf.amount_units)),
        proof=list(leaf.proof),
        merkle_root=d.merkle_root,
        distributor=found.distributor,
        chain_id=d.chain_id,
        claim_deadline=d.claim_deadline,
        claimed=claim is not None,
        claimed_at=claim.at if claim else None,
        claim_tx_hash=claim.tx_hash if claim else None,
        calldata=claim_calldata(found.distributor, leaf),
    )


def claim_transaction(
    session: Session, deployments_dir: Path, user_id: uuid.UUID, distribution_id: int, account: str
) -> ClaimOut:
    found = _leaf(session, deployments_dir, user_id, distribution_id, account)
    d, leaf = found.distribution, found.leaf
    if leaf.account_kind == "custodial":
        raise ClaimedByPlatform()
    if found.claim is not None:
        raise AlreadyClaimed(details={"tx_hash": found.claim.tx_hash})
    seen = repo.pool_events(session, d.chain_id, found.distributor, d.id)
    if "Swept" in seen or d.claim_deadline <= datetime.now(UTC):
        raise DistributionClosed(details={"claim_deadline": d.claim_deadline.isoformat()})
    if "DistributionFunded" not in seen:
        raise DistributionNotFunded()
    tx = TransactionOut(to=found.distributor, data=claim_calldata(found.distributor, leaf), chain_id=d.chain_id)
    return ClaimOut(
        distribution_id=d.id, account=leaf.account, amount_units=str(int(leaf.amount_units)), transaction=tx
    )


def record(session: Session, deployments_dir: Path, body: DistributionCreate, admin_id: uuid.UUID) -> DistributionOut:
    cents = body.amount * 100
    request = DistributionRequest(
        project_id=body.project_id,
        total_cents=int(cents),
        distribution_type=body.distribution_type,
        snapshot_block=body.snapshot_block,
        energy_generated_mwh=body.energy_generated_mwh,
        distribution_date=body.distribution_date,
        idempotency_key=body.idempotency_key,
        created_by=admin_id,
    )
    try:
        project_chain = _project_chain(session, body.project_id)
        recorded = record_distribution(session, request, payout_token(deployments_dir, project_chain))
    except DistributionRefused as exc:
        error = REFUSALS.get(exc.code)
        if error is None:
            raise InternalError() from exc
        raise error(str(exc), details={k: str(v) for k, v in exc.details.items()}) from None
    return distribution_out(recorded.distribution, created=recorded.created)


def _project_chain(session: Session, project_id: uuid.UUID) -> int:
    from core.models.catalogue import Project

    project = session.get(Project, project_id)
    if project is None:
        raise DistributionRefused("PROJECT_NOT_FOUND", "no such project")
    return project.chain_id


def distribution_out(d: Distribution, *, created: bool = False) -> DistributionOut:
    return DistributionOut(
        id=d.id,
        project_id=d.project_id,
        project_token_id=str(int(d.token_id)),
        chain_id=d.chain_id,
        distribution_type=d.distribution_type,
        distribution_date=d.distribution_date,
        total_cents=d.total_cents,
        total_units=str(int(d.total_units)),
        energy_generated_mwh=d.energy_generated_mwh,
        snapshot_block=d.snapshot_block,
        merkle_root=d.merkle_root,
        holder_count=d.holder_count,
        status=d.status,
        claim_deadline=d.claim_deadline,
        created=created,
    )
