"""The API application: `create_app(settings, engine=None)` wires routers, the error mapping and middleware.

Everything public lives under /api/v1 (OpenAPI at /docs); /health, /ready and /metrics sit at the root where
load balancers and Prometheus expect them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import APIRouter, Depends, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from api.accounts.breach import BreachChecker
from api.accounts.cookies import CSRF_HEADER
from api.accounts.endpoints import router as accounts_router
from api.accounts.service import AuthConfig, sync_builtin_roles
from api.admin.endpoints import router as admin_router
from api.content.endpoints import router as content_router
from api.distributions.endpoints import router as distributions_router
from api.envelope import API_VERSION
from api.errors import ApiError, error_response
from api.exits.endpoints import router as exits_router
from api.http.middleware import (
    REQUEST_ID_HEADER,
    BodyLimitMiddleware,
    RequestContextMiddleware,
    SecurityHeadersMiddleware,
    label_routes,
)
from api.http.query_params import reject_unknown_query_params
from api.investments.endpoints import router as investments_router
from api.kyc.endpoints import router as kyc_router
from api.notifications.worker import start_worker
from api.openapi import install_envelope_openapi
from api.ops.endpoints import router as ops_router
from api.portfolio.endpoints import router as portfolio_router
from api.privacy.endpoints import router as privacy_router
from api.projects.endpoints import router as projects_router
from api.ratelimit.middleware import RateLimitMiddleware
from api.ratelimit.policy import RATE_LIMIT_HEADERS
from api.settings import ApiSettings
from api.wallets.endpoints import router as wallets_router
from api.ws.endpoints import router as portfolio_ws_router
from core.db.engine import make_engine, make_session_factory, resolve_database_url

API_PREFIX = "/api/v1"
GZIP_MINIMUM_BYTES = 1000  # the seed's figure: smaller answers are not worth compressing


def auth_config(settings: ApiSettings) -> AuthConfig:
    return AuthConfig(
        jwt_key=settings.jwt_key().get_secret_value(),
        access_lifetime=timedelta(seconds=settings.api_access_token_seconds),
        refresh_lifetime=timedelta(days=settings.api_refresh_token_days),
        lockout_threshold=settings.api_lockout_threshold,
        lockout_duration=timedelta(seconds=settings.api_lockout_seconds),
        breaches=BreachChecker(
            hibp_url=settings.api_hibp_url if settings.api_hibp_enabled else None,
            timeout=settings.api_hibp_timeout_seconds,
        ),
    )


def pool_options(settings: ApiSettings) -> dict[str, int]:
    # SQLAlchemy's default (5 + 10 overflow) makes a busy worker open and close a connection per request.
    return {"pool_size": settings.api_db_pool_size, "max_overflow": settings.api_db_max_overflow}


async def _handle(_request: Request, exc: Exception) -> Response:
    return error_response(exc)


def create_app(settings: ApiSettings, engine: Engine | None = None) -> FastAPI:
    """The app on `engine` (tests pass theirs), or on an engine of its own from DATABASE_URL (or the embedded
    PostgreSQL), disposed at shutdown. Raises InvalidSettings (no JWT key outside local) before anything starts."""
    auth = auth_config(settings)
    own_engine = engine is None
    db = engine if engine is not None else make_engine(resolve_database_url(settings), **pool_options(settings))
    sessions = make_session_factory(db)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        with sessions.begin() as session:
            sync_builtin_roles(session)
        notifier = start_worker(settings, sessions)  # off (None) without SMTP_HOST
        yield
        if notifier is not None:
            notifier.stop()
        if own_engine:
            db.dispose()

    app = FastAPI(
        title="Terra Lumina API",
        version=API_VERSION,
        description="Accounts, projects, investments and portfolios over the indexed chain state.",
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = db
    app.state.sessions = sessions
    app.state.auth = auth

    for kind in (ApiError, RequestValidationError, StarletteHTTPException):
        app.add_exception_handler(kind, _handle)

    v1 = APIRouter(prefix=API_PREFIX, dependencies=[Depends(reject_unknown_query_params)])
    v1.include_router(accounts_router)
    v1.include_router(admin_router)
    v1.include_router(distributions_router)
    v1.include_router(exits_router)
    v1.include_router(wallets_router)
    v1.include_router(kyc_router)
    v1.include_router(content_router)
    v1.include_router(projects_router)
    v1.include_router(portfolio_router)
    v1.include_router(privacy_router)
    v1.include_router(investments_router)
    app.include_router(v1)
    app.include_router(ops_router, dependencies=[Depends(reject_unknown_query_params)])
    app.include_router(portfolio_ws_router)  # /ws/portfolio, and the LISTEN connection's lifespan
    label_routes(app)
    install_envelope_openapi(app)

    # Added innermost first: a request meets the security headers (on every answer, the last-resort 500 included),
    # then RequestContext (ids, logs, metrics, the 500), CORS (a browser can read a 429), rate limits, GZip and the
    # body limit.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.api_max_body_bytes)
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_BYTES)
    if settings.api_rate_limits_enabled:
        app.add_middleware(RateLimitMiddleware, settings=settings, sessions=sessions, jwt_key=auth.jwt_key)
    if settings.api_cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.api_cors_origins,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", CSRF_HEADER, REQUEST_ID_HEADER],
            expose_headers=[REQUEST_ID_HEADER, "Retry-After", *RATE_LIMIT_HEADERS],
        )
    app.add_middleware(RequestContextMiddleware)
    app.add_middleware(SecurityHeadersMiddleware, always_hsts=settings.api_hsts)
    return app
