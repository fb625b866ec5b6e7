"""/api/v1/projects: the public catalogue (filters, full-text and radius search, sorting, pages) and one project
with its indexed figures, documents and updates. No sign-in; answers carry the index's block in `meta`.

The hot path of the API (benchmarked at concurrency 50): the routes are async and make one trip through the thread
pool for their database reads, instead of one per sync dependency (session, settings, ...). They only read, so
they use their own read-only sessions (service.Reads) rather than the request's SessionDep."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from api.envelope import ChainMeta, ChainPageMeta, Envelope, ErrorEnvelope
from api.pagination import PageDep
from api.projects import service
from api.projects.cache import ProjectsRuntime, projects_runtime
from api.projects.schemas import MAX_RADIUS_KM, ProjectDetail, ProjectStatus, ProjectSummary, SortKey, Technology
from api.settings import ApiSettings

router = APIRouter(prefix="/projects", tags=["projects"])
RuntimeDep = Annotated[ProjectsRuntime, Depends(projects_runtime)]
_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorEnvelope, "description": "PROJECT_NOT_FOUND"},
    422: {"model": ErrorEnvelope, "description": "VALIDATION_ERROR and the codes named in the route"},
}


def _json(body: bytes) -> Response:
    return Response(body, media_type="application/json")


def _reads(request: Request) -> tuple[service.Reads, int | None]:
    settings: ApiSettings = request.app.state.settings
    return service.Reads(request.app.state.engine, request.app.state.sessions), settings.chain_id


@router.get("", response_model=Envelope[list[ProjectSummary], ChainPageMeta], responses={422: _ERRORS[422]})
async def list_projects(
    request: Request,
    runtime: RuntimeDep,
    page: PageDep,
    technology: Annotated[list[Technology] | None, Query(description="One or more (repeat the parameter).")] = None,
    status: Annotated[list[ProjectStatus] | None, Query(description="One or more.")] = None,
    country: Annotated[
        list[Annotated[str, Query(pattern="^[A-Za-z]{2}$")]] | None, Query(description="ISO 3166-1 alpha-2.")
    ] = None,
    q: Annotated[
        str | None, Query(max_length=200, pattern="^[^\x00]*$", description="Full-text search (web search syntax).")
    ] = None,
    lat: Annotated[float | None, Query(ge=-90, le=90, description="Radius search: centre latitude.")] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180, description="Radius search: centre longitude.")] = None,
    radius_km: Annotated[float | None, Query(gt=0, le=MAX_RADIUS_KM, description="Radius search: km.")] = None,
    sort: Annotated[SortKey | None, Query(description="A key; '-' first for descending.")] = None,
) -> Response:
    """Projects with their indexed cap and raised amount. `lat`, `lon`, `radius_km` go together
    (RADIUS_SEARCH_INCOMPLETE); `sort=relevance` needs `q` and `sort=distance` a radius (SORT_NOT_APPLICABLE)."""
    query = service.build_query(
        technology=list(technology or ()),
        status=list(status or ()),
        country=country,
        q=q,
        lat=lat,
        lon=lon,
        radius_km=radius_km,
        sort=sort,
    )
    reads, chain_id = _reads(request)
    return _json(await run_in_threadpool(service.list_answer, reads, runtime, query, page, chain_id))


@router.get("/{project_id}", response_model=Envelope[ProjectDetail, ChainMeta], responses=_ERRORS)
async def get_project(
    request: Request,
    runtime: RuntimeDep,
    project_id: Annotated[str, Path(max_length=100, description="Catalogue UUID or on-chain token id.")],
) -> Response:
    """One project: on-chain cap, raised, remaining, holders and exit from the index; documents (served from
    /api/v1/ipfs/{cid}); updates, newest first. INVALID_PROJECT_ID for an id that is neither form."""
    reads, chain_id = _reads(request)
    return _json(await run_in_threadpool(service.detail_answer, reads, runtime, project_id, chain_id))
