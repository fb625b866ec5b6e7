"""/api/v1/admin: what administrators may read and change, one permission per route."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from api.accounts import service
from api.accounts.schemas import UserOut
from api.admin.projects import router as projects_router
from api.deps import SessionDep, require_permission
from api.envelope import Envelope, PageMeta
from api.pagination import PageDep, page_envelope
from core.models import User

router = APIRouter(prefix="/admin", tags=["admin"])


@router.get("/users", response_model=Envelope[list[UserOut], PageMeta])
def list_users(
    _admin: Annotated[User, Depends(require_permission("admin.users.read"))], db: SessionDep, page: PageDep
) -> Envelope[list[UserOut], PageMeta]:
    """Every account, oldest first, `per_page` at a time (at most 100)."""
    return page_envelope(service.list_users(db, page))


router.include_router(projects_router)
