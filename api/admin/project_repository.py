"""All SQL of the admin project routes: token id allocation, catalogue rows, their outbox intent, updates and
documents. Functions take the request's session and never commit."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from core.models import ChainDeployment, ChainProject, Project, ProjectDocument, ProjectIntent, ProjectUpdate


def indexed_chain_ids(session: Session) -> list[int]:
    """The chains this database mirrors (one per deployment, normally)."""
    return list(session.scalars(select(ChainDeployment.chain_id).distinct().order_by(ChainDeployment.chain_id)))


def lock_token_ids(session: Session, chain_id: int) -> None:
    """Serialise token id allocation on `chain_id` until the request's transaction ends: two concurrent creations
    cannot read the same maximum (the unique (chain_id, token_id) key would refuse the second one anyway)."""
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"catalogue-token-ids:{chain_id}"})


def next_token_id(session: Session, chain_id: int) -> int:
    """One above every id in use: in the catalogue, queued for the chain, or on chain (projects created elsewhere)."""
    candidates = (
        select(func.max(Project.token_id)).where(Project.chain_id == chain_id),
        select(func.max(ProjectIntent.token_id)).where(ProjectIntent.chain_id == chain_id),
        select(func.max(ChainProject.project_id)).where(ChainProject.chain_id == chain_id),
    )
    highest = max((session.scalar(c) or Decimal(0) for c in candidates), default=Decimal(0))
    return int(highest) + 1


def add_project(session: Session, project: Project) -> Project:
    session.add(project)
    session.flush()
    session.refresh(project)  # server defaults (created_at, updated_at)
    return project


def add_intent(session: Session, project: Project) -> ProjectIntent:
    assert project.metadata_cid is not None
    intent = ProjectIntent(
        project_id=project.id,
        chain_id=project.chain_id,
        token_id=project.token_id,
        supply_cap=Decimal(project.target_cents),
        metadata_cid=project.metadata_cid,
        status="pending",
    )
    session.add(intent)
    session.flush()
    return intent


def get_project(session: Session, project_id: uuid.UUID, *, lock: bool = False) -> Project | None:
    stmt = select(Project).where(Project.id == project_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def intent_of(session: Session, project_id: uuid.UUID) -> ProjectIntent | None:
    return session.scalars(select(ProjectIntent).where(ProjectIntent.project_id == project_id)).first()


def touch(session: Session, project_id: uuid.UUID) -> None:
    """Bump `updated_at`: cached project reads are keyed on it, so every admin write must move it."""
    session.execute(update(Project).where(Project.id == project_id).values(updated_at=func.clock_timestamp()))


def add_update(session: Session, row: ProjectUpdate) -> ProjectUpdate:
    session.add(row)
    session.flush()
    session.refresh(row)
    return row


def document_by_cid(session: Session, project_id: uuid.UUID, cid: str) -> ProjectDocument | None:
    return session.scalars(
        select(ProjectDocument).where(ProjectDocument.project_id == project_id, ProjectDocument.cid == cid)
    ).first()


def add_document(session: Session, row: ProjectDocument) -> ProjectDocument:
    session.add(row)
    session.flush()
    session.refresh(row)
    return row
