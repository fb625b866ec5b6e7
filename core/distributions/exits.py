"""Asking for a project's exit: the exit distribution (if the admin gives a total) recorded from the index like any
other, and the request the relayer turns into `exitProject` once that distribution is on chain. One transaction
(the caller's); refused with a stable code before anything is written."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session
from web3 import Web3

from core.distributions.record import (
    DistributionRefused,
    DistributionRequest,
    PayoutToken,
    Recorded,
    record_distribution,
)
from core.models.catalogue import Project
from core.models.chain_ownership import ChainExit
from core.models.exits import ProjectExitRequest

ZERO_ADDRESS = "0x" + "0" * 40


@dataclass
class ExitAsked:
    request: ProjectExitRequest
    distribution: Recorded | None


def request_exit(
    session: Session,
    project_id: uuid.UUID,
    community_dao: str,
    payout: PayoutToken,
    *,
    exit_total_cents: int | None = None,
    energy_generated_mwh: Decimal | None = None,
    requested_by: uuid.UUID | None = None,
) -> ExitAsked:
    if not Web3.is_address(community_dao) or community_dao.lower() == ZERO_ADDRESS:
        raise DistributionRefused("COMMUNITY_DAO_INVALID", "the community DAO must be a non-zero address")
    project = session.get(Project, project_id, with_for_update=True)
    if project is None:
        raise DistributionRefused("PROJECT_NOT_FOUND", "no such project", project_id=str(project_id))
    exited = session.get(ChainExit, (project.chain_id, project.token_id)) is not None
    asked = session.scalar(select(ProjectExitRequest).where(ProjectExitRequest.project_id == project.id))
    if exited or asked is not None:
        raise DistributionRefused("PROJECT_ALREADY_EXITED", "the project has exited or its exit is under way")
    recorded = None
    if exit_total_cents is not None:
        recorded = record_distribution(
            session,
            DistributionRequest(
                project.id,
                exit_total_cents,
                "exit",
                energy_generated_mwh=energy_generated_mwh,
                created_by=requested_by,
            ),
            payout,
        )
    now = datetime.now(UTC)
    request = ProjectExitRequest(
        project_id=project.id,
        chain_id=project.chain_id,
        token_id=project.token_id,
        community_dao=community_dao.lower(),
        exit_distribution_id=recorded.distribution.id if recorded else None,
        status="pending",
        requested_by=requested_by,
        created_at=now,
        updated_at=now,
    )
    session.add(request)
    session.flush()
    return ExitAsked(request, recorded)
