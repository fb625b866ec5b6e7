"""Dependency aliases for endpoints: the request's session (it owns the transaction: commit when the endpoint
returns, roll back when it raises, unless the error says its changes must stay), the caller, permissions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.requests import Request

from api.accounts.authentication import Principal, authenticate, authorize
from api.accounts.service import AuthConfig
from api.errors import ApiError
from api.settings import ApiSettings
from core.models import User


# The pure dependencies are async: FastAPI runs a sync one in its thread pool, a hop per request for nothing.
async def get_settings(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings


async def get_auth_config(request: Request) -> AuthConfig:
    config: AuthConfig = request.app.state.auth
    return config


def get_session(request: Request) -> Iterator[Session]:
    session: Session = request.app.state.sessions()
    try:
        yield session
    except ApiError as exc:
        if exc.keeps_changes:
            session.commit()
        else:
            session.rollback()
        raise
    except BaseException:
        session.rollback()
        raise
    else:
        session.commit()
    finally:
        session.close()


SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
AuthConfigDep = Annotated[AuthConfig, Depends(get_auth_config)]
# scope="function": the commit happens before the answer is sent, so a client never sees success for a change
# that then failed to commit.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


# Declares the Bearer scheme in OpenAPI (the Authorize button of /docs); the header is read and judged by
# authenticate(), which also accepts the web app's session cookie.
_bearer_scheme = HTTPBearer(auto_error=False, description="Access token from POST /api/v1/users/login.")


def current_principal(
    request: Request,
    session: SessionDep,
    config: AuthConfigDep,
    _declared: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer_scheme)],
) -> Principal:
    return authenticate(request, session, config.jwt_key)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def current_user(principal: CurrentPrincipal) -> User:
    return principal.user


CurrentUser = Annotated[User, Depends(current_user)]


def require_permission(permission: str) -> Callable[[Principal, Session], User]:
    """A dependency that lets through only callers holding `permission` (403 PERMISSION_DENIED otherwise):
    `admin: Annotated[User, Depends(require_permission("admin.users.read"))]`."""

    def dependency(principal: CurrentPrincipal, session: SessionDep) -> User:
        authorize(session, principal, permission)
        return principal.user

    dependency.__name__ = f"require_{permission.replace('.', '_')}"
    return dependency
