"""All SQL of the public catalogue: the cache stamp (catalogue version + indexer checkpoint in one query), the
filtered / searched / sorted page of projects with their indexed figures, one project with its documents and
updates, and which radius search the database offers (PostGIS geography, or the exact great-circle fallback)."""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Float, Row, and_, cast, func, literal, literal_column, null, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from api.pagination import Page, PageParams
from api.projects.schemas import Near, ProjectQuery
from core.models import (
    ChainExit,
    ChainHolderCount,
    ChainProject,
    Project,
    ProjectDocument,
    ProjectUpdate,
)

# The sphere PostGIS measures geography on when told not to use the spheroid (the WGS 84 mean radius): both
# radius paths use it, so they select the same projects.
EARTH_RADIUS_M = 6_371_008.7714
DETAIL_UPDATES = 100  # newest first; older ones are history nobody scrolls to in a detail answer
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
# A project's columns and its indexed figures, read by attribute (row.name, row.minted, ...).
ProjectRow = Row[*tuple[Any, ...]]


@dataclass(frozen=True)
class CacheStamp:
    """What a cached answer depends on: the catalogue's version and how far the index reached."""

    catalogue_version: str
    indexed_block: int | None
    block_hash: str | None
    finalized_block: int | None

    @property
    def key(self) -> str:
        return f"{self.catalogue_version}:{self.indexed_block}:{self.block_hash}:{self.finalized_block}"


_STAMP_SQL = (
    "SELECT v.version::text, c.block_number, c.block_hash, c.finalized_block FROM (SELECT 1) AS one "
    "LEFT JOIN catalogue_version AS v ON v.id = 1 LEFT JOIN LATERAL (SELECT block_number, block_hash, "
    "finalized_block FROM chain_checkpoints {where} ORDER BY updated_at DESC LIMIT 1) AS c ON true"
)
_STAMP_ANY_CHAIN = text(_STAMP_SQL.format(where=""))
_STAMP_ONE_CHAIN = text(_STAMP_SQL.format(where="WHERE chain_id = :chain_id"))


def cache_stamp(session: Session | Connection, chain_id: int | None) -> CacheStamp:
    """One cheap query (two primary-key lookups). The checkpoint follows the same rule as api.index.meta."""
    if chain_id is None:
        row = session.execute(_STAMP_ANY_CHAIN).one()
    else:
        row = session.execute(_STAMP_ONE_CHAIN, {"chain_id": chain_id}).one()
    version, block, block_hash, finalized = row
    return CacheStamp(
        catalogue_version=version or "none",
        indexed_block=block,
        block_hash=block_hash,
        finalized_block=finalized if finalized is not None and finalized >= 0 else None,
    )


def bump_catalogue_version(session: Session) -> None:
    """What the triggers of migration 0009 do after every catalogue write; for changes they cannot see."""
    session.execute(
        text(
            "INSERT INTO catalogue_version (id, version, changed_at) VALUES (1, gen_random_uuid(), now()) "
            "ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, changed_at = EXCLUDED.changed_at"
        )
    )


def postgis_schema(session: Session) -> str | None:
    """The schema of PostGIS when `projects.location_geog` exists (migration 0009 made it), else None."""
    found = session.execute(
        text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'postgis' AND EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'projects'::regclass "
            "AND attname = 'location_geog' AND NOT attisdropped)"
        )
    ).scalar()
    return str(found) if found is not None and _IDENTIFIER.match(str(found)) else None


# ----- the list ----------------------------------------------------------------------------------
_PROJECT_COLUMNS = [c for c in Project.__table__.columns if c.key != "search_vector"]


def _radius(query: ProjectQuery, postgis: str | None) -> tuple[list[ColumnElement[Any]], ColumnElement[Any] | None]:
    """The conditions and the distance (metres) of a radius search: ST_DWithin on the geography column where
    PostGIS is there (its GIST index), else the haversine formula behind a latitude band (exact, no index)."""
    if query.near is None:
        return [], None
    # Rounded to a tenth of a millimetre: a denormal offset such as 1e-213 degrees would underflow float8 maths.
    near = Near(round(query.near.lat, 9), round(query.near.lon, 9), round(query.near.radius_km, 7))
    metres = near.radius_km * 1000.0
    if postgis is not None:
        pg = getattr(func, postgis)
        geog: ColumnElement[Any] = literal_column("projects.location_geog")
        point = pg.geography(pg.st_setsrid(pg.st_makepoint(literal(near.lon), literal(near.lat)), 4326))
        within = pg.st_dwithin(geog, point, literal(metres), False, type_=Boolean)
        return [within], pg.st_distance(geog, point, False, type_=Float)
    lat, lon = cast(Project.latitude, Float), cast(Project.longitude, Float)
    lat0, lon0 = literal(near.lat, Float), literal(near.lon, Float)
    half_chord = func.power(func.sin(func.radians(lat - lat0) / 2), 2) + func.cos(func.radians(lat0)) * func.cos(
        func.radians(lat)
    ) * func.power(func.sin(func.radians(lon - lon0) / 2), 2)
    distance = literal(2 * EARTH_RADIUS_M, Float) * func.asin(func.least(literal(1.0, Float), func.sqrt(half_chord)))
    band = math.degrees(metres / EARTH_RADIUS_M) + 1e-6  # no point outside it can be within the radius
    return [lat.between(near.lat - band, near.lat + band), distance <= metres], distance


def _conditions(query: ProjectQuery, chain_id: int | None) -> tuple[list[ColumnElement[Any]], Any]:
    conditions: list[ColumnElement[Any]] = []
    if chain_id is not None:
        conditions.append(Project.chain_id == chain_id)
    if query.technology:
        conditions.append(Project.technology.in_(query.technology))
    if query.status:
        conditions.append(Project.status.in_(query.status))
    if query.country:
        conditions.append(Project.location_country.in_(query.country))
    rank = None
    if query.q is not None:
        tsquery = func.websearch_to_tsquery(literal_column("'english'"), literal(query.q))
        conditions.append(Project.search_vector.op("@@")(tsquery))
        rank = func.ts_rank_cd(Project.search_vector, tsquery)
    return conditions, rank


def _order(sort: str, rank: Any, distance: Any, raised: Any) -> list[Any]:
    keys: dict[str, Any] = {
        "name": Project.name,
        "created_at": Project.created_at,
        "target": Project.target_cents,
        "raised": raised,
        "expected_return": Project.expected_return_annual,
        "relevance": rank,
        "distance": distance,
    }
    descending = sort.startswith("-") or sort == "relevance"
    column = keys[sort.lstrip("-")]
    first = column.desc() if descending else column.asc()
    return [first.nulls_last(), Project.id]  # the id: pages never overlap on ties


def list_projects(
    session: Session, query: ProjectQuery, params: PageParams, postgis: str | None, chain_id: int | None
) -> Page[ProjectRow]:
    """One page of matching projects with their indexed cap / raised / exited (NULL when not yet on chain)."""
    conditions, rank = _conditions(query, chain_id)
    radius_conditions, distance = _radius(query, postgis)
    conditions += radius_conditions
    total = session.scalar(select(func.count()).select_from(Project).where(*conditions)) or 0
    raised = func.coalesce(ChainProject.minted, 0)
    columns: list[Any] = [*_PROJECT_COLUMNS, ChainProject.supply_cap, ChainProject.minted, ChainProject.exited]
    columns.append((distance if distance is not None else cast(null(), Float)).label("distance_m"))
    stmt = (
        select(*columns)
        .outerjoin(
            ChainProject, and_(ChainProject.chain_id == Project.chain_id, ChainProject.project_id == Project.token_id)
        )
        .where(*conditions)
        .order_by(*_order(query.sort, rank, distance, raised))
        .limit(params.per_page)
        .offset(params.offset)
    )
    return Page(session.execute(stmt).all(), params.page, params.per_page, total)


# ----- one project -------------------------------------------------------------------------------
def find_project(
    session: Session, *, project_id: uuid.UUID | None = None, token_id: int | None = None, chain_id: int | None
) -> ProjectRow | None:
    """The project (by catalogue id or on-chain token id) with its indexed figures, holders and exit."""
    on_chain = and_(ChainProject.chain_id == Project.chain_id, ChainProject.project_id == Project.token_id)
    stmt = (
        select(
            *_PROJECT_COLUMNS,
            ChainProject.supply_cap,
            ChainProject.minted,
            ChainProject.exited,
            ChainProject.community_dao,
            ChainHolderCount.holders,
            ChainExit.block_number.label("exit_block"),
        )
        .outerjoin(ChainProject, on_chain)
        .outerjoin(
            ChainHolderCount,
            and_(ChainHolderCount.chain_id == Project.chain_id, ChainHolderCount.project_id == Project.token_id),
        )
        .outerjoin(ChainExit, and_(ChainExit.chain_id == Project.chain_id, ChainExit.project_id == Project.token_id))
    )
    if project_id is not None:
        stmt = stmt.where(Project.id == project_id)
    else:
        stmt = stmt.where(Project.token_id == Decimal(token_id or 0))
    if chain_id is not None:
        stmt = stmt.where(Project.chain_id == chain_id)
    found: ProjectRow | None = session.execute(stmt.order_by(Project.chain_id).limit(1)).first()
    return found


def documents(session: Session, project_id: uuid.UUID) -> Sequence[ProjectDocument]:
    stmt = select(ProjectDocument).where(ProjectDocument.project_id == project_id)
    return session.scalars(stmt.order_by(ProjectDocument.created_at, ProjectDocument.id)).all()


def updates(session: Session, project_id: uuid.UUID) -> Sequence[ProjectUpdate]:
    stmt = select(ProjectUpdate).where(ProjectUpdate.project_id == project_id)
    stmt = stmt.order_by(ProjectUpdate.published_at.desc(), ProjectUpdate.id.desc()).limit(DETAIL_UPDATES)
    return session.scalars(stmt).all()
