"""The project catalogue (the seed's `projects` and `project_updates` tables) and each project's documents.

A catalogue project is what people read about; its on-chain twin is the ERC-1155 token `token_id` of the
ownership contract on `chain_id`. Figures that the chain holds (cap, raised = minted, holders, exited) are never
stored here: they are read from the index (`chain_projects`, `chain_balances`, ...), so they cannot disagree.
`target_cents` is what the admin asked for; the cap on chain is the same number (one token unit = one cent).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base
from core.models.chain_ownership import UINT256

TECHNOLOGIES = ("solar", "wind", "hydro", "storage", "biomass", "geothermal")
PROJECT_STATUSES = ("planning", "construction", "operating", "exited")
UPDATE_TYPES = ("progress", "financial", "community")

# What full-text search reads: the name weighs more than the description (ts_rank weights A > B).
SEARCH_VECTOR_SQL = (
    "setweight(to_tsvector('english', name), 'A') || setweight(to_tsvector('english', description), 'B')"
)
# Where PostGIS is available, migration 0009 adds `projects.location_geog` (geography(Point,4326), generated from
# longitude/latitude) and its GIST index. They exist only there, so they are not in the model: the API's repository
# queries them with SQL expressions, and schema comparisons leave them out (core.db.migrate.include_object).
POSTGIS_ONLY_OBJECTS = frozenset({"location_geog", "ix_projects_location_geog"})


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (
        UniqueConstraint("chain_id", "token_id", name="uq_projects_chain_token"),
        CheckConstraint(_in("technology", TECHNOLOGIES), name="technology_known"),
        CheckConstraint(_in("status", PROJECT_STATUSES), name="status_known"),
        CheckConstraint("target_cents > 0", name="target_positive"),
        CheckConstraint("min_investment_cents >= 1000", name="min_investment_at_least_ten_dollars"),
        CheckConstraint("latitude IS NULL OR (latitude BETWEEN -90 AND 90)", name="latitude_range"),
        CheckConstraint("longitude IS NULL OR (longitude BETWEEN -180 AND 180)", name="longitude_range"),
        CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="coordinates_together"),
        Index("ix_projects_technology", "technology"),
        Index("ix_projects_status", "status"),
        Index("ix_projects_location_country", "location_country"),
        Index("ix_projects_search", "search_vector", postgresql_using="gin"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, server_default=text("gen_random_uuid()"))
    chain_id: Mapped[int] = mapped_column(BigInteger)
    token_id: Mapped[Decimal] = mapped_column(UINT256)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, server_default="")
    technology: Mapped[str] = mapped_column(String(50))
    capacity_mw: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    location_country: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    location_city: Mapped[str | None] = mapped_column(String(255))
    # WGS 84 degrees; where PostGIS exists a geography column mirrors them for radius searches.
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    status: Mapped[str] = mapped_column(String(50), server_default="planning")
    target_cents: Mapped[int] = mapped_column(BigInteger)  # = the supply cap on chain
    min_investment_cents: Mapped[int] = mapped_column(BigInteger, server_default="1000")
    expected_return_annual: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))  # percent a year
    exit_timeline_years: Mapped[int | None] = mapped_column(Integer)
    # The pinned ERC-1155 metadata JSON (what createProject recorded on chain).
    metadata_cid: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Written by PostgreSQL itself; deferred so that loading a Project does not fetch it.
    search_vector: Mapped[str] = mapped_column(TSVECTOR, Computed(SEARCH_VECTOR_SQL, persisted=True), deferred=True)


class ProjectDocument(Base):
    """A document of a project (prospectus, permit, audit) in the content store, by its CID."""

    __tablename__ = "project_documents"
    __table_args__ = (UniqueConstraint("project_id", "cid", name="uq_project_documents_project_cid"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, server_default=text("gen_random_uuid()"))
    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(255))
    cid: Mapped[str] = mapped_column(Text)
    media_type: Mapped[str] = mapped_column(String(255), server_default="application/octet-stream")
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ProjectUpdate(Base):
    """News an admin publishes about a project (the seed's `project_updates`)."""

    __tablename__ = "project_updates"
    __table_args__ = (
        CheckConstraint(_in("update_type", UPDATE_TYPES), name="update_type_known"),
        Index("ix_project_updates_project_id", "project_id", "published_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, server_default=text("gen_random_uuid()"))
    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(255))
    content: Mapped[str] = mapped_column(Text)
    update_type: Mapped[str] = mapped_column(String(50), server_default="progress")
    author_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CatalogueVersion(Base):
    """One row whose `version` changes (a fresh random UUID) in the same transaction as any write to projects,
    project_documents or project_updates (statement triggers of migration 0009): cached project answers are keyed
    by it, so a committed catalogue change is never served stale."""

    __tablename__ = "catalogue_version"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False, server_default=text("1"))
    version: Mapped[uuid.UUID] = mapped_column(Uuid, server_default=text("gen_random_uuid()"))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
