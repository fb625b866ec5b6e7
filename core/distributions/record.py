"""Recording a distribution: the snapshot of indexed balances at a final block, exact amounts by largest remainder,
the merkle tree of (account, amount) leaves, all stored in one transaction (the caller's). Nothing goes on chain
here: the relayer submits the root (`distributeReturns`) and funds the Distributor from the stored row.

Every refusal is a DistributionRefused with a stable code, raised before anything is written."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.distributions.allocation import AllocationError, allocate
from core.distributions.merkle import StandardMerkleTree
from core.distributions.snapshot import balances_at, index_position, owners
from core.models.catalogue import Project
from core.models.chain_ownership import ChainExit
from core.models.distributions import DISTRIBUTION_TYPES, Distribution, UserDistribution

LEAF_ENCODING = ("address", "uint256")
DEFAULT_CLAIM_PERIOD = timedelta(days=365)


class DistributionRefused(ValueError):
    def __init__(self, code: str, message: str, **details: object) -> None:
        super().__init__(message)
        self.code = code
        self.details = details


@dataclass(frozen=True)
class DistributionRequest:
    project_id: uuid.UUID
    total_cents: int
    distribution_type: str
    snapshot_block: int | None = None  # None: the newest final block
    energy_generated_mwh: Decimal | None = None
    distribution_date: date | None = None
    claim_period: timedelta = DEFAULT_CLAIM_PERIOD
    idempotency_key: str | None = None
    created_by: uuid.UUID | None = None


@dataclass(frozen=True)
class PayoutToken:
    address: str
    decimals: int

    def units(self, cents: int) -> int:
        """Cents in the token's smallest unit, exactly (USDC and the test stablecoin: 6 decimals → × 10,000)."""
        scale: int = 10 ** (self.decimals - 2)
        return cents * scale


@dataclass
class Recorded:
    distribution: Distribution
    leaves: list[UserDistribution] = field(default_factory=list)
    created: bool = True


def record_distribution(session: Session, request: DistributionRequest, payout: PayoutToken) -> Recorded:
    if request.distribution_type not in DISTRIBUTION_TYPES:
        raise DistributionRefused(
            "DISTRIBUTION_TYPE_UNKNOWN", f"distribution type must be one of {', '.join(DISTRIBUTION_TYPES)}"
        )
    if payout.decimals < 2:
        raise DistributionRefused("PAYOUT_TOKEN_UNSUITABLE", "the payout token cannot count cents")
    if request.idempotency_key is not None:
        existing = session.scalar(select(Distribution).where(Distribution.idempotency_key == request.idempotency_key))
        if existing is not None:
            return _replay(session, existing, request)
    project = session.get(Project, request.project_id, with_for_update=True)
    if project is None:
        raise DistributionRefused("PROJECT_NOT_FOUND", "no such project", project_id=str(request.project_id))
    exited = session.get(ChainExit, (project.chain_id, project.token_id)) is not None
    if exited:
        raise DistributionRefused("PROJECT_EXITED", "the project has exited: no further distribution")
    position = index_position(session, project.chain_id)
    if position is None or position.finalized_block < 0:
        raise DistributionRefused("INDEX_NOT_FINAL", "the index has no final block yet")
    block = position.finalized_block if request.snapshot_block is None else request.snapshot_block
    if block > position.indexed_block:
        raise DistributionRefused(
            "SNAPSHOT_IN_FUTURE",
            "the snapshot block is past what the index holds",
            indexed_block=position.indexed_block,
        )
    if block > position.finalized_block:
        raise DistributionRefused(
            "SNAPSHOT_NOT_FINAL",
            "the snapshot block is not final yet: balances there could still change",
            snapshot_block=block,
            finalized_block=position.finalized_block,
        )
    balances = balances_at(session, project.chain_id, int(project.token_id), block)
    try:
        cents = allocate(request.total_cents, balances)
    except AllocationError as exc:
        raise DistributionRefused(exc.code, str(exc), snapshot_block=block) from None
    cents = {a: c for a, c in cents.items() if c > 0}  # a holder too small for a cent has no leaf
    accounts = sorted(cents)
    tree = StandardMerkleTree([(a, payout.units(cents[a])) for a in accounts], LEAF_ENCODING)
    now = datetime.now(UTC)
    distribution = Distribution(
        project_id=project.id,
        chain_id=project.chain_id,
        token_id=project.token_id,
        distribution_date=request.distribution_date or now.date(),
        distribution_type=request.distribution_type,
        total_cents=request.total_cents,
        total_units=Decimal(payout.units(request.total_cents)),
        payout_token=payout.address.lower(),
        payout_decimals=payout.decimals,
        energy_generated_mwh=request.energy_generated_mwh,
        snapshot_block=block,
        merkle_root="0x" + tree.root.hex(),
        holder_count=len(accounts),
        status="recorded",
        claim_deadline=now + request.claim_period,
        idempotency_key=request.idempotency_key,
        created_by=request.created_by,
        created_at=now,
        updated_at=now,
    )
    session.add(distribution)
    session.flush()
    whose = owners(session, accounts)
    leaves = []
    for index, account in enumerate(accounts):
        kind, user_id = whose[account]
        leaf = UserDistribution(
            distribution_id=distribution.id,
            user_id=user_id,
            account=account,
            account_kind=kind,
            balance=Decimal(balances[account]),
            amount_cents=cents[account],
            amount_units=Decimal(payout.units(cents[account])),
            tree_index=tree.tree_index(index),
            proof=["0x" + p.hex() for p in tree.proof(index)],
        )
        leaves.append(leaf)
    session.add_all(leaves)
    session.flush()
    return Recorded(distribution, leaves)


def _replay(session: Session, existing: Distribution, request: DistributionRequest) -> Recorded:
    same = (
        existing.project_id == request.project_id
        and existing.total_cents == request.total_cents
        and existing.distribution_type == request.distribution_type
        and (request.snapshot_block is None or existing.snapshot_block == request.snapshot_block)
    )
    if not same:
        raise DistributionRefused(
            "DISTRIBUTION_KEY_REUSED",
            "this idempotency key recorded a different distribution",
            distribution_id=existing.id,
        )
    leaves = list(
        session.scalars(select(UserDistribution).where(UserDistribution.distribution_id == existing.id)).all()
    )
    return Recorded(existing, leaves, created=False)
