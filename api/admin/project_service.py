"""Decisions of the admin project routes: create a catalogue project (token id, metadata pinned, createProject
queued for the relayer: the API never signs), publish updates, add documents. Never commits: the request does."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy.orm import Session

from api.admin import project_repository as repo
from api.admin.metadata import project_document
from api.admin.project_schemas import (
    AdminProjectOut,
    ChainCreationOut,
    DocumentOut,
    DocumentRefIn,
    ProjectIn,
    UpdateIn,
    UpdateOut,
)
from api.content import errors
from api.content.store import store_errors
from api.settings import ApiSettings
from core.models import Project, ProjectDocument, ProjectIntent, ProjectUpdate, User
from ipfs import ContentStore
from ipfs.cid import canonical
from ipfs.metadata import pin_document


def chain_id_of(session: Session, settings: ApiSettings) -> int:
    """CHAIN_ID when set; otherwise the one chain this database mirrors."""
    if settings.chain_id is not None:
        return settings.chain_id
    chains = repo.indexed_chain_ids(session)
    if len(chains) != 1:
        raise errors.ChainNotConfigured(details={"indexed_chains": chains})
    return chains[0]


def create_project(session: Session, settings: ApiSettings, store: ContentStore, body: ProjectIn) -> AdminProjectOut:
    chain_id = chain_id_of(session, settings)
    repo.lock_token_ids(session, chain_id)
    project = Project(
        id=uuid.uuid4(),
        chain_id=chain_id,
        token_id=Decimal(repo.next_token_id(session, chain_id)),
        name=body.name,
        description=body.description,
        technology=body.technology,
        capacity_mw=body.capacity_mw,
        location_country=body.location.country,
        location_city=body.location.city,
        latitude=body.location.latitude,
        longitude=body.location.longitude,
        status=body.status,
        target_cents=body.target_cents,
        min_investment_cents=body.min_investment_cents,
        expected_return_annual=body.expected_return_annual,
        exit_timeline_years=body.exit_timeline_years,
    )
    # Pinned before the row is written: should the transaction then fail, the store keeps an unused document
    # (harmless, content-addressed), never a catalogue row naming content that is not there.
    with store_errors():
        project.metadata_cid = pin_document(store, project_document(project, body.technical_specs))
    repo.add_project(session, project)
    intent = repo.add_intent(session, project)
    return project_out(project, intent)


def get_project(session: Session, project_id: uuid.UUID) -> AdminProjectOut:
    project = repo.get_project(session, project_id)
    if project is None:
        raise errors.ProjectNotFound()
    return project_out(project, repo.intent_of(session, project_id))


def _locked_project(session: Session, project_id: uuid.UUID) -> Project:
    # Locked: documents of one project are added one at a time (the duplicate check below stays true).
    project = repo.get_project(session, project_id, lock=True)
    if project is None:
        raise errors.ProjectNotFound()
    return project


def publish_update(session: Session, project_id: uuid.UUID, author: User, body: UpdateIn) -> UpdateOut:
    _locked_project(session, project_id)
    row = repo.add_update(
        session,
        ProjectUpdate(
            project_id=project_id,
            title=body.title,
            content=body.content,
            update_type=body.update_type,
            author_user_id=author.id,
        ),
    )
    repo.touch(session, project_id)
    return UpdateOut.model_validate(row, from_attributes=True)


def add_document_ref(session: Session, store: ContentStore, project_id: uuid.UUID, body: DocumentRefIn) -> DocumentOut:
    """A document already in the content store, by its CID (pinned, so that it stays)."""
    _locked_project(session, project_id)
    with store_errors():
        cid = canonical(body.cid)
        if not store.has(cid):
            raise errors.ContentNotFound(details={"cid": cid})
        store.pin(cid)
    return _add_document(session, project_id, body.title, cid, body.media_type, None)


def upload_document(
    session: Session, store: ContentStore, project_id: uuid.UUID, title: str, media_type: str, data: bytes
) -> DocumentOut:
    _locked_project(session, project_id)
    if not data:
        raise errors.EmptyDocument()
    with store_errors():
        cid = canonical(store.add(data))
        store.pin(cid)
    return _add_document(session, project_id, title, cid, media_type, len(data))


def _add_document(
    session: Session, project_id: uuid.UUID, title: str, cid: str, media_type: str, size: int | None
) -> DocumentOut:
    if repo.document_by_cid(session, project_id, cid) is not None:
        raise errors.DocumentExists(details={"cid": cid})
    row = repo.add_document(
        session,
        ProjectDocument(project_id=project_id, title=title, cid=cid, media_type=media_type, size_bytes=size),
    )
    repo.touch(session, project_id)
    return document_out(row)


def document_out(row: ProjectDocument) -> DocumentOut:
    return DocumentOut(
        id=row.id,
        project_id=row.project_id,
        title=row.title,
        cid=row.cid,
        uri=f"ipfs://{row.cid}",
        url=f"/api/v1/ipfs/{row.cid}",
        media_type=row.media_type,
        size_bytes=row.size_bytes,
        created_at=row.created_at,
    )


def project_out(project: Project, intent: ProjectIntent | None) -> AdminProjectOut:
    creation = None
    if intent is not None:
        creation = ChainCreationOut(status=intent.status, tx_hash=intent.tx_hash, error=intent.last_error)
    return AdminProjectOut(
        id=project.id,
        chain_id=project.chain_id,
        token_id=int(project.token_id),
        name=project.name,
        description=project.description,
        technology=project.technology,
        capacity_mw=project.capacity_mw,
        location_country=project.location_country,
        location_city=project.location_city,
        latitude=project.latitude,
        longitude=project.longitude,
        status=project.status,
        target_cents=project.target_cents,
        min_investment_cents=project.min_investment_cents,
        expected_return_annual=project.expected_return_annual,
        exit_timeline_years=project.exit_timeline_years,
        metadata_cid=project.metadata_cid,
        metadata_uri=f"ipfs://{project.metadata_cid}" if project.metadata_cid else None,
        created_at=project.created_at,
        updated_at=project.updated_at,
        chain_creation=creation,
    )
