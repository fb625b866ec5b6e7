"""/api/v1/admin/projects/{id}/exit (ask for the exit), the holder's final statement at
/api/v1/projects/{id}/exit-statement and every holder's as CSV for the admin. HTTP only."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, status
from fastapi.responses import Response

from api.deps import CurrentUser, SessionDep, SettingsDep, require_permission
from api.envelope import Envelope, Meta, ok
from api.exits import service
from api.exits.schemas import ExitCreate, ExitOut, StatementOut
from core.models import User

router = APIRouter(tags=["exits"])


@router.post(
    "/admin/projects/{project_id}/exit",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Envelope[ExitOut, Meta],
    tags=["admin"],
)
def ask_exit(
    project_id: uuid.UUID,
    body: ExitCreate,
    admin: Annotated[User, Depends(require_permission("admin.projects.exit"))],
    db: SessionDep,
    settings: SettingsDep,
) -> Envelope[ExitOut, Meta]:
    """Hand the project to its community DAO: the exit distribution (when `exit_amount` is given) is recorded from
    the index now; the relayer sends `exitProject` once it is on chain, and the project's tokens freeze. Errors:
    PROJECT_NOT_FOUND, PROJECT_ALREADY_EXITED, COMMUNITY_DAO_INVALID and the distribution's own (NO_HOLDERS, ...)."""
    return ok(service.ask_exit(db, settings.deployments_path, project_id, body, admin.id))


@router.get("/projects/{project_id}/exit-statement", response_model=Envelope[StatementOut, Meta])
def exit_statement(project_id: uuid.UUID, user: CurrentUser, db: SessionDep) -> Envelope[StatementOut, Meta]:
    """Your final statement of an exited project: principal, each distribution (claimed or not), the exit payout."""
    return ok(service.holder_statement(db, project_id, user.id))


@router.get(
    "/admin/projects/{project_id}/exit-statement.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
    tags=["admin"],
)
def exit_statements_csv(
    project_id: uuid.UUID,
    _admin: Annotated[User, Depends(require_permission("admin.projects.exit"))],
    db: SessionDep,
) -> Response:
    body = service.statements_as_csv(db, project_id)
    headers = {"Content-Disposition": f'attachment; filename="exit-statement-{project_id}.csv"'}
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)
