"""/api/v1/admin/projects: create catalogue projects (createProject queued for the relayer), publish their updates
and add their documents. Every route needs `admin.projects.write`; every write bumps the project's `updated_at`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query
from pydantic import TypeAdapter, ValidationError
from starlette.requests import Request

from api.admin import project_service as service
from api.admin.project_schemas import (
    AdminProjectOut,
    DocumentOut,
    DocumentRefIn,
    MediaType,
    ProjectIn,
    UpdateIn,
    UpdateOut,
)
from api.admin.text import Line
from api.content.store import ContentStoreDep
from api.deps import SessionDep, SettingsDep, require_permission
from api.envelope import Envelope, Meta, ok
from api.errors import ValidationFailed
from core.models import User

router = APIRouter(prefix="/projects", tags=["admin"])
ProjectsAdmin = Annotated[User, Depends(require_permission("admin.projects.write"))]
_MEDIA_TYPE: TypeAdapter[str] = TypeAdapter(MediaType)
_BINARY = {"type": "string", "format": "binary"}


@router.post("", status_code=201, response_model=Envelope[AdminProjectOut, Meta])
def create_project(
    _admin: ProjectsAdmin, db: SessionDep, settings: SettingsDep, store: ContentStoreDep, body: ProjectIn
) -> Envelope[AdminProjectOut, Meta]:
    """A catalogue project with the next free token id; its ERC-1155 metadata is pinned and `createProject(tokenId,
    targetCents, metadataCid)` is queued for the relayer (`chain_creation` follows it)."""
    return ok(service.create_project(db, settings, store, body))


@router.get("/{project_id}", response_model=Envelope[AdminProjectOut, Meta])
def get_project(_admin: ProjectsAdmin, db: SessionDep, project_id: uuid.UUID) -> Envelope[AdminProjectOut, Meta]:
    """A catalogue project and where its creation on chain stands."""
    return ok(service.get_project(db, project_id))


@router.post("/{project_id}/updates", status_code=201, response_model=Envelope[UpdateOut, Meta])
def publish_update(
    admin: ProjectsAdmin, db: SessionDep, project_id: uuid.UUID, body: UpdateIn
) -> Envelope[UpdateOut, Meta]:
    """Publish news about a project (progress, financial or community)."""
    return ok(service.publish_update(db, project_id, admin, body))


@router.post("/{project_id}/documents", status_code=201, response_model=Envelope[DocumentOut, Meta])
def add_document(
    _admin: ProjectsAdmin, db: SessionDep, store: ContentStoreDep, project_id: uuid.UUID, body: DocumentRefIn
) -> Envelope[DocumentOut, Meta]:
    """Attach a document the content store already holds (e.g. added with `terra ipfs add`), by its CID."""
    return ok(service.add_document_ref(db, store, project_id, body))


async def _body(request: Request) -> bytes:
    return await request.body()  # bounded by API_MAX_BODY_BYTES (413 PAYLOAD_TOO_LARGE beyond)


@router.post(
    "/{project_id}/documents/upload",
    status_code=201,
    response_model=Envelope[DocumentOut, Meta],
    openapi_extra={"requestBody": {"required": True, "content": {"*/*": {"schema": _BINARY}}}},
)
def upload_document(
    _admin: ProjectsAdmin,
    db: SessionDep,
    store: ContentStoreDep,
    project_id: uuid.UUID,
    title: Annotated[Line, Query(description="The document's title.")],
    data: Annotated[bytes, Depends(_body)],
    content_type: Annotated[str, Header(description="The document's media type, e.g. application/pdf.")] = (
        "application/octet-stream"
    ),
) -> Envelope[DocumentOut, Meta]:
    """Upload a document as the raw request body (at most API_MAX_BODY_BYTES; larger files go in with `terra ipfs
    add` and are attached by CID): pinned in the content store, served verified at /api/v1/ipfs/{cid}."""
    try:
        media_type = _MEDIA_TYPE.validate_python(content_type.split(";", 1)[0])
    except ValidationError:
        bad = {"loc": ["header", "content-type"], "msg": "not a media type", "type": "media_type"}
        raise ValidationFailed(details={"errors": [bad]}) from None
    return ok(service.upload_document(db, store, project_id, title, media_type, data))
