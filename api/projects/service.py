"""Decisions of the public catalogue: which query a request means (or which error), and the answers, served from
the cache when the catalogue version and the indexer checkpoint are those they were built at.

An answer is built once per stamp as JSON bytes; a hit only adds a fresh `meta` (time, request id), so the hot
path is one small query outside any transaction, one cache read and a concatenation."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.envelope import ChainMeta, ChainPageMeta
from api.errors import InvalidProjectId, ProjectNotFound, RadiusSearchIncomplete, SortNotApplicable
from api.pagination import Page, PageParams
from api.projects import repository
from api.projects.cache import ProjectsRuntime
from api.projects.repository import CacheStamp, ProjectRow
from api.projects.schemas import (
    ChainDetail,
    ChainFigures,
    DocumentOut,
    Location,
    Near,
    ProjectDetail,
    ProjectQuery,
    ProjectSummary,
    UpdateOut,
)

IPFS_ROUTE = "/api/v1/ipfs/{cid}"
_TOKEN_ID = re.compile(r"^[0-9]{1,78}$")
_SUMMARIES = TypeAdapter(list[ProjectSummary])


def build_query(
    *,
    technology: list[str] | None,
    status: list[str] | None,
    country: list[str] | None,
    q: str | None,
    lat: float | None,
    lon: float | None,
    radius_km: float | None,
    sort: str | None,
) -> ProjectQuery:
    """The query the parameters mean; the default order is relevance with `q`, distance with a radius, newest first
    otherwise."""
    radius = {"lat": lat, "lon": lon, "radius_km": radius_km}
    missing = [name for name, value in radius.items() if value is None]
    if 0 < len(missing) < len(radius):
        raise RadiusSearchIncomplete(details={"missing": missing})
    near = Near(lat, lon, radius_km) if lat is not None and lon is not None and radius_km is not None else None
    text = q.strip() if q is not None else None
    text = text or None
    if (sort == "relevance" and text is None) or (sort == "distance" and near is None):
        raise SortNotApplicable(details={"sort": sort})
    chosen = sort or ("relevance" if text is not None else "distance" if near is not None else "-created_at")
    return ProjectQuery(
        technology=tuple(sorted(set(technology or ()))),
        status=tuple(sorted(set(status or ()))),
        country=tuple(sorted({c.upper() for c in country or ()})),
        q=text,
        near=near,
        sort=chosen,
    )


@dataclass(frozen=True)
class Reads:
    """How the catalogue reads the database: the stamp alone (a hit's one round trip: a single statement outside
    any transaction, its own snapshot), or a REPEATABLE READ snapshot in which a miss reads the stamp again with
    the rows, so that a cached answer is exactly what its key says. Read-only: nothing to commit."""

    engine: Engine
    sessions: sessionmaker[Session]

    def stamp(self, chain_id: int | None) -> CacheStamp:
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            return repository.cache_stamp(conn, chain_id)

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        with self.sessions() as session:
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            yield session


def _cached(
    reads: Reads,
    runtime: ProjectsRuntime,
    kind: str,
    detail: str,
    chain_id: int | None,
    build: Callable[[Session, CacheStamp], bytes],
) -> tuple[bytes, CacheStamp]:
    """The answer's data for the current stamp: from the cache, or built (and stored) in one snapshot."""
    stamp = runtime.recent_stamp(chain_id, reads.stamp)
    cached = runtime.cache.get(runtime.cache.key(kind, stamp, detail))
    if cached is not None:
        return cached, stamp
    with reads.snapshot() as session:
        stamp = repository.cache_stamp(session, chain_id)
        body = build(session, stamp)
    runtime.cache.set(runtime.cache.key(kind, stamp, detail), body)
    return body, stamp


def _envelope(data: bytes, meta: ChainMeta) -> bytes:
    return b'{"success":true,"data":' + data + b',"meta":' + meta.model_dump_json().encode() + b"}"


def _chain(stamp: CacheStamp) -> dict[str, Any]:
    return {
        "indexed_block": stamp.indexed_block,
        "block_hash": stamp.block_hash,
        "finalized_block": stamp.finalized_block,
    }


def list_answer(
    reads: Reads, runtime: ProjectsRuntime, query: ProjectQuery, params: PageParams, chain_id: int | None
) -> bytes:
    """The whole envelope of GET /projects as JSON bytes."""

    def build(session: Session, stamp: CacheStamp) -> bytes:
        page = repository.list_projects(session, query, params, runtime.postgis_schema(session), chain_id)
        items = [_summary(row, stamp) for row in page.items]
        return str(page.total).encode() + b"\n" + _SUMMARIES.dump_json(items)

    cached, stamp = _cached(reads, runtime, "list", query.cache_key(params.page, params.per_page), chain_id, build)
    total, data = cached.split(b"\n", 1)
    figures = Page[Any]((), params.page, params.per_page, int(total))
    meta = ChainPageMeta(
        page=figures.page, per_page=figures.per_page, total=figures.total, pages=figures.pages, **_chain(stamp)
    )
    return _envelope(data, meta)


def detail_answer(reads: Reads, runtime: ProjectsRuntime, raw_id: str, chain_id: int | None) -> bytes:
    """The whole envelope of GET /projects/{id} (a catalogue UUID or the on-chain token id) as JSON bytes."""
    project_id, token_id = _parse_id(raw_id)

    def build(session: Session, stamp: CacheStamp) -> bytes:
        row = repository.find_project(session, project_id=project_id, token_id=token_id, chain_id=chain_id)
        if row is None:
            raise ProjectNotFound(details={"id": raw_id[:80]})
        return _detail(session, row, stamp).model_dump_json().encode()

    detail = str(project_id) if project_id is not None else f"token:{token_id}"
    cached, stamp = _cached(reads, runtime, "detail", detail, chain_id, build)
    return _envelope(cached, ChainMeta(**_chain(stamp)))


def _parse_id(raw: str) -> tuple[uuid.UUID | None, int | None]:
    if _TOKEN_ID.match(raw):
        return None, int(raw)
    try:
        return uuid.UUID(raw), None
    except ValueError:
        raise InvalidProjectId(details={"id": raw[:80]}) from None


def _base(row: ProjectRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "chain_id": row.chain_id,
        "token_id": int(row.token_id),
        "name": row.name,
        "description": row.description,
        "technology": row.technology,
        "status": row.status,
        "capacity_mw": row.capacity_mw,
        "location": Location(
            country=row.location_country,
            city=row.location_city,
            latitude=float(row.latitude) if row.latitude is not None else None,
            longitude=float(row.longitude) if row.longitude is not None else None,
        ),
        "target_cents": row.target_cents,
        "min_investment_cents": row.min_investment_cents,
        "expected_return_annual": row.expected_return_annual,
        "exit_timeline_years": row.exit_timeline_years,
        "metadata_cid": row.metadata_cid,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def _figures(row: ProjectRow, stamp: CacheStamp) -> dict[str, Any] | None:
    if row.supply_cap is None:
        return None
    cap, raised = int(row.supply_cap), int(row.minted)
    return {
        "cap_cents": cap,
        "raised_cents": raised,
        "remaining_cents": 0 if row.exited else cap - raised,
        "exited": row.exited,
        "as_of_block": stamp.indexed_block,
    }


def _summary(row: ProjectRow, stamp: CacheStamp) -> ProjectSummary:
    figures = _figures(row, stamp)
    distance_km = round(row.distance_m / 1000.0, 3) if row.distance_m is not None else None
    return ProjectSummary(**_base(row), on_chain=ChainFigures(**figures) if figures else None, distance_km=distance_km)


def _detail(session: Session, row: ProjectRow, stamp: CacheStamp) -> ProjectDetail:
    figures = _figures(row, stamp)
    on_chain = None
    if figures is not None:
        on_chain = ChainDetail(
            **figures, holders=row.holders or 0, exit_block=row.exit_block, community_dao=row.community_dao
        )
    documents = [
        DocumentOut(
            id=d.id,
            title=d.title,
            cid=d.cid,
            url=IPFS_ROUTE.format(cid=d.cid),
            media_type=d.media_type,
            size_bytes=d.size_bytes,
            created_at=d.created_at,
        )
        for d in repository.documents(session, row.id)
    ]
    updates = [
        UpdateOut(id=u.id, title=u.title, content=u.content, update_type=u.update_type, published_at=u.published_at)
        for u in repository.updates(session, row.id)
    ]
    return ProjectDetail(**_base(row), on_chain=on_chain, documents=documents, updates=updates)
