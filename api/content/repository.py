"""SQL of the public content routes: a project's metadata CID (the chain's, else the catalogue's) and what the
catalogue says a CID is (a document's media type, a metadata document)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import ChainProject, Project, ProjectDocument


def catalogue_project(session: Session, chain_id: int, token_id: int) -> Project | None:
    return session.scalars(
        select(Project).where(Project.chain_id == chain_id, Project.token_id == Decimal(token_id))
    ).first()


def chain_project(session: Session, chain_id: int, token_id: int) -> ChainProject | None:
    return session.get(ChainProject, (chain_id, Decimal(token_id)))


def document_media_type(session: Session, cid: str) -> str | None:
    return session.scalars(select(ProjectDocument.media_type).where(ProjectDocument.cid == cid).limit(1)).first()


def is_metadata_cid(session: Session, cid: str) -> bool:
    in_catalogue = select(Project.id).where(Project.metadata_cid == cid).limit(1)
    on_chain = select(ChainProject.project_id).where(ChainProject.metadata_cid == cid).limit(1)
    return session.scalar(in_catalogue) is not None or session.scalar(on_chain) is not None
