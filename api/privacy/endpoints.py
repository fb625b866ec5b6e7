"""/api/v1/users/me/data-export and DELETE /api/v1/users/me. HTTP only: decisions are in service.py."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Response

from api.accounts.cookies import clear_session_cookies
from api.deps import AuthConfigDep, CurrentUser, SessionDep
from api.envelope import Envelope, Meta, ok
from api.privacy import service
from api.privacy.schemas import AccountDeleted, DeleteAccountIn

router = APIRouter(prefix="/users", tags=["privacy"])


@router.get("/me/data-export", response_model=Envelope[dict[str, Any], Meta])
def data_export(user: CurrentUser, db: SessionDep) -> Envelope[dict[str, Any], Meta]:
    """Everything held about the caller (GDPR access and portability): profile, roles, wallets, custodial address,
    investments with their status history, holdings, sessions (times only, never token hashes), notifications,
    KYC records. Amounts are exact integers (cents, token units)."""
    return ok(service.data_export(db, user))


@router.delete("/me", response_model=Envelope[AccountDeleted, Meta])
def delete_me(
    user: CurrentUser, db: SessionDep, config: AuthConfigDep, response: Response, body: DeleteAccountIn | None = None
) -> Envelope[AccountDeleted, Meta]:
    """Erase the caller's account (GDPR erasure): email, password, country, wallets, sessions and KYC data go;
    investments stay, anonymous, for the audit trail. Password accounts confirm with `password`. Errors:
    ACCOUNT_HAS_ACTIVE_INVESTMENTS (details list why), PASSWORD_CONFIRMATION_REQUIRED / _FAILED."""
    now = datetime.now(UTC)
    deleted = service.delete_account(db, config, user, body.password if body else None, now)
    clear_session_cookies(response)
    assert deleted.deleted_at is not None
    return ok(AccountDeleted(deleted_at=deleted.deleted_at))
