"""/api/v1/distributions (a holder's proof and claim transaction) and /api/v1/admin/distributions (recording).
HTTP only: decisions are in service.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from api.deps import CurrentUser, SessionDep, SettingsDep, require_permission
from api.distributions import repository as repo
from api.distributions import service
from api.distributions.errors import DistributionNotFound
from api.distributions.schemas import (
    ADDRESS_PATTERN,
    ClaimOut,
    ClaimRequest,
    DistributionCreate,
    DistributionOut,
    ProofOut,
)
from api.envelope import Envelope, Meta, ok
from core.models import User

router = APIRouter(tags=["distributions"])

DistributionId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.get("/distributions/{distribution_id}/proof", response_model=Envelope[ProofOut, Meta])
def get_proof(
    distribution_id: DistributionId,
    user: CurrentUser,
    db: SessionDep,
    settings: SettingsDep,
    account: Annotated[str | None, Query(pattern=ADDRESS_PATTERN)] = None,
) -> Envelope[ProofOut, Meta]:
    """Your share of a distribution at one of your addresses (default: your wallet's, else your custodial one):
    amount, merkle proof, whether the index saw it claimed, and the `claim` calldata. Not yours → 404."""
    return ok(service.proof(db, settings.deployments_path, user.id, distribution_id, account))


@router.post("/distributions/claim", response_model=Envelope[ClaimOut, Meta])
def claim(body: ClaimRequest, user: CurrentUser, db: SessionDep, settings: SettingsDep) -> Envelope[ClaimOut, Meta]:
    """The transaction that claims your wallet's share, for your wallet to sign and send. Errors:
    DISTRIBUTION_NOT_FOUND, CLAIMED_BY_PLATFORM (custodial shares are claimed for you), ALREADY_CLAIMED,
    DISTRIBUTION_NOT_FUNDED, DISTRIBUTION_CLOSED."""
    return ok(service.claim_transaction(db, settings.deployments_path, user.id, body.distribution_id, body.account))


@router.post("/admin/distributions", response_model=Envelope[DistributionOut, Meta], tags=["admin"])
def create_distribution(
    body: DistributionCreate,
    admin: Annotated[User, Depends(require_permission("admin.distributions.write"))],
    db: SessionDep,
    settings: SettingsDep,
    response: Response,
) -> Envelope[DistributionOut, Meta]:
    """Record a distribution from the index at a final snapshot block: exact amounts per holder, the merkle root;
    the relayer puts it on chain and funds it. 201 when recorded, 200 when the idempotency key had recorded it."""
    recorded = service.record(db, settings.deployments_path, body, admin.id)
    response.status_code = status.HTTP_201_CREATED if recorded.created else status.HTTP_200_OK
    return ok(recorded)


@router.get("/admin/distributions/{distribution_id}", response_model=Envelope[DistributionOut, Meta], tags=["admin"])
def get_distribution(
    distribution_id: DistributionId,
    _admin: Annotated[User, Depends(require_permission("admin.distributions.write"))],
    db: SessionDep,
) -> Envelope[DistributionOut, Meta]:
    d = repo.distribution(db, distribution_id)
    if d is None:
        raise DistributionNotFound()
    return ok(service.distribution_out(d))
