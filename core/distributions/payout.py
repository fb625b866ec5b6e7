"""The stablecoin a chain's distributions pay in, from its deployment record, and which catalogue project a
command or request means (its UUID, or its on-chain token id)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.chain.abis import STABLECOIN
from core.chain.deployments import load_deployment
from core.distributions.record import DistributionRefused, PayoutToken
from core.models.catalogue import Project

# USDC and the local test stablecoin both count in millionths; the Distributor pays in the same token.
PAYOUT_DECIMALS = 6


def payout_token(deployments_dir: Path, chain_id: int) -> PayoutToken:
    deployment = load_deployment(deployments_dir, chain_id)
    return PayoutToken(deployment.address(STABLECOIN).lower(), PAYOUT_DECIMALS)


def resolve_project(session: Session, ref: str, chain_id: int | None = None) -> Project:
    """`ref` is a catalogue UUID or an on-chain token id (on `chain_id` when several chains share the catalogue)."""
    try:
        project_id = uuid.UUID(ref)
    except ValueError:
        project_id = None
    if project_id is not None:
        project = session.get(Project, project_id)
    elif not ref.isdigit():
        raise DistributionRefused("PROJECT_NOT_FOUND", f"{ref!r} is neither a project id nor a token id")
    else:
        query = select(Project).where(Project.token_id == Decimal(ref))
        if chain_id is not None:
            query = query.where(Project.chain_id == chain_id)
        matches = session.scalars(query).all()
        if len(matches) > 1:
            raise DistributionRefused("PROJECT_AMBIGUOUS", f"token id {ref} exists on several chains: give --chain-id")
        project = matches[0] if matches else None
    if project is None:
        raise DistributionRefused("PROJECT_NOT_FOUND", f"no project {ref}")
    return project
