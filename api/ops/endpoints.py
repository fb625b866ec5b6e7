"""/health (the process answers), /ready (it can serve: database and index), /metrics (Prometheus)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.responses import Response

from api import metrics
from api.envelope import Envelope, Meta, ok
from api.errors import NotReady
from api.ops import repository
from api.ops.readiness import index_check
from api.settings import ApiSettings

router = APIRouter(tags=["operations"])


@router.get("/health", response_model=Envelope[dict[str, str], Meta])
async def health() -> Envelope[dict[str, str], Meta]:
    """Liveness: the process answers. Touches nothing else, so a slow database never gets a replica killed
    (async: nothing to wait for, so no trip through the thread pool)."""
    return ok({"status": "ok"})


@router.get("/ready", response_model=Envelope[dict[str, Any], Meta], responses={503: {"description": "Not ready"}})
def ready(request: Request) -> Envelope[dict[str, Any], Meta]:
    settings: ApiSettings = request.app.state.settings
    sessions: sessionmaker[Session] = request.app.state.sessions
    checks: dict[str, Any] = {}
    try:
        with sessions() as session:
            repository.ping(session)
            checks["database"] = {"status": "ok"}
            age = repository.newest_checkpoint_age(session, settings.chain_id)
    except SQLAlchemyError as exc:
        checks["database"] = {"status": "unreachable", "error": type(exc).__name__}
        raise NotReady(details={"checks": checks}) from None
    fresh, checks["index"] = index_check(age, settings.api_ready_max_index_age_seconds)
    if not fresh:
        raise NotReady(details={"checks": checks})
    return ok({"status": "ready", "checks": checks})


@router.get("/metrics", response_class=Response, include_in_schema=False)
def prometheus_metrics() -> Response:
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)
