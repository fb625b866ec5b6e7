"""Decisions of the exit routes: asking for an exit (core.distributions.exits), and the final statements."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.distributions.errors import REFUSALS, ProjectNotFound
from api.errors import ApiError, InternalError
from api.exits.errors import CommunityDaoInvalid, NotAHolder, ProjectAlreadyExited, ProjectNotExited
from api.exits.schemas import ExitCreate, ExitOut, StatementLineOut, StatementOut
from core.distributions.exits import request_exit
from core.distributions.payout import payout_token
from core.distributions.record import DistributionRefused
from core.distributions.statements import statement_for_user, statements_csv, statements_for_all
from core.models.catalogue import Project
from core.models.chain_ownership import ChainExit
from core.models.exits import ProjectExitRequest

_EXIT_REFUSALS: dict[str, type[ApiError]] = {
    **REFUSALS,
    ProjectAlreadyExited.code: ProjectAlreadyExited,
    CommunityDaoInvalid.code: CommunityDaoInvalid,
}


def _project(session: Session, project_id: uuid.UUID) -> Project:
    project = session.get(Project, project_id)
    if project is None:
        raise ProjectNotFound()
    return project


def ask_exit(
    session: Session, deployments_dir: Path, project_id: uuid.UUID, body: ExitCreate, admin_id: uuid.UUID
) -> ExitOut:
    project = _project(session, project_id)
    cents = None if body.exit_amount is None else int(body.exit_amount * 100)
    try:
        asked = request_exit(
            session,
            project.id,
            body.community_dao,
            payout_token(deployments_dir, project.chain_id),
            exit_total_cents=cents,
            energy_generated_mwh=body.energy_generated_mwh,
            requested_by=admin_id,
        )
    except DistributionRefused as exc:
        error = _EXIT_REFUSALS.get(exc.code)
        if error is None:
            raise InternalError() from exc
        raise error(str(exc), details={k: str(v) for k, v in exc.details.items()}) from None
    r = asked.request
    return ExitOut(
        id=r.id,
        project_id=r.project_id,
        community_dao=r.community_dao,
        exit_distribution_id=r.exit_distribution_id,
        status=r.status,
        created_at=r.created_at,
    )


def _exited(session: Session, project: Project) -> bool:
    return session.get(ChainExit, (project.chain_id, project.token_id)) is not None


def _exit_asked(session: Session, project: Project) -> bool:
    found = session.scalar(select(ProjectExitRequest.id).where(ProjectExitRequest.project_id == project.id))
    return found is not None or _exited(session, project)


def holder_statement(session: Session, project_id: uuid.UUID, user_id: uuid.UUID) -> StatementOut:
    project = _project(session, project_id)
    if not _exit_asked(session, project):
        raise ProjectNotExited()
    s = statement_for_user(session, project, user_id)
    if not s.principal_cents and not s.balance_units and not s.distributed_cents:
        raise NotAHolder()
    lines = [
        StatementLineOut(
            distribution_id=line.distribution_id,
            distribution_type=line.distribution_type,
            distribution_date=line.distribution_date,
            amount_cents=line.amount_cents,
            claimed_cents=line.claimed_cents,
            unclaimed_cents=line.amount_cents - line.claimed_cents,
            claimed_at=line.claimed_at,
        )
        for line in s.lines
        if line.amount_cents
    ]
    return StatementOut(
        project_id=project.id,
        exited=_exited(session, project),
        addresses=s.addresses,
        principal_cents=s.principal_cents,
        balance_units=s.balance_units,
        distributions=lines,
        distributed_cents=s.distributed_cents,
        claimed_cents=s.claimed_cents,
        unclaimed_cents=s.unclaimed_cents,
        exit_payout_cents=s.exit_payout_cents,
    )


def statements_as_csv(session: Session, project_id: uuid.UUID) -> str:
    project = _project(session, project_id)
    return statements_csv(statements_for_all(session, project))
