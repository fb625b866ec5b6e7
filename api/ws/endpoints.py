"""WS /ws/portfolio: the caller's portfolio (GET /api/v1/portfolio's data) once on connect, then again whenever the
indexer commits a change touching their addresses or projects, or one of their investments moves — never on a
timer. Authenticated by `?token=<access token>` or the web app's session cookie (same-origin only); a bad, expired,
revoked or missing token closes the socket with 1008, as does the token expiring while connected."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from urllib.parse import urlsplit

import anyio
import structlog
from fastapi import APIRouter, FastAPI, WebSocket
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocketDisconnect, WebSocketState

from api.accounts.authentication import principal_of
from api.accounts.cookies import ACCESS_COOKIE
from api.accounts.tokens import AccessClaims, read_access_token
from api.errors import ApiError, NotAuthenticated, UnknownQueryParameter
from api.portfolio import service
from api.portfolio.repository import snapshot
from api.portfolio.schemas import PortfolioUpdate
from api.settings import ApiSettings
from api.ws.hub import Hub, Subscriber
from api.ws.listener import Listener, listen_conninfo

log = structlog.get_logger("api.ws")
POLICY_VIOLATION = 1008
GOING_AWAY = 1001
INTERNAL_ERROR = 1011
FIRST_LISTEN_WAIT_SECONDS = 5.0
QUERY_PARAMS = frozenset({"token"})


@asynccontextmanager
async def realtime_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The hub and its LISTEN connection live as long as the app; startup waits (briefly) for the first LISTEN so
    that an update committed right after startup is not missed."""
    settings: ApiSettings = app.state.settings
    hub = Hub()
    app.state.portfolio_hub = hub
    listener = None
    if settings.api_realtime_enabled:
        listener = Listener(
            listen_conninfo(app.state.engine),
            hub,
            retry_seconds=settings.api_realtime_retry_seconds,
            keepalive_seconds=settings.api_realtime_keepalive_seconds,
        )
        app.state.portfolio_listener = listener
        listener.start()
        with anyio.move_on_after(FIRST_LISTEN_WAIT_SECONDS):
            await listener.listening.wait()
    try:
        yield
    finally:
        hub.close_all()
        if listener is not None:
            await listener.stop()


router = APIRouter(lifespan=realtime_lifespan)


def _same_origin(websocket: WebSocket, settings: ApiSettings) -> bool:
    """A cookie rides along on any page's WebSocket to us (no CORS for WebSockets): only our own origins may use it."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return False
    if origin in settings.api_cors_origins:
        return True
    return urlsplit(origin).netloc == websocket.headers.get("host")


def _credentials(websocket: WebSocket, settings: ApiSettings) -> tuple[str, bool]:
    unknown = set(websocket.query_params) - QUERY_PARAMS
    if unknown:
        raise UnknownQueryParameter(details={"unknown": sorted(n[:64] for n in unknown)[:20]})
    token = websocket.query_params.get("token")
    if token:
        return token, False
    cookie = websocket.cookies.get(ACCESS_COOKIE)
    if cookie and _same_origin(websocket, settings):
        return cookie, True
    raise NotAuthenticated()


def _build(
    sessions: sessionmaker[Session], claims: AccessClaims, via_cookie: bool, chain_id: int | None
) -> service.PortfolioView:
    """One consistent read: the login is still valid (else ApiError), then the portfolio."""
    with snapshot(sessions) as session:
        principal_of(session, claims, via_cookie)
        return service.portfolio(session, claims.user_id, chain_id)


async def _close(websocket: WebSocket, code: int, reason: str) -> None:
    if websocket.application_state != WebSocketState.DISCONNECTED:
        try:
            await websocket.close(code=code, reason=reason[:120])
        except (RuntimeError, WebSocketDisconnect):  # the client went first
            pass


async def _push(websocket: WebSocket, sub: Subscriber, claims: AccessClaims, via_cookie: bool) -> None:
    """Send an update each time the subscriber is woken, until the token expires, the login is revoked or the
    server shuts down."""
    app = websocket.app
    settings: ApiSettings = app.state.settings
    while True:
        remaining = (claims.expires_at - datetime.now(UTC)).total_seconds()
        try:
            with anyio.fail_after(max(remaining, 0)):
                await sub.wake.wait()
        except TimeoutError:
            await _close(websocket, POLICY_VIOLATION, "TOKEN_EXPIRED")
            return
        if sub.closing:
            await _close(websocket, GOING_AWAY, "server shutting down")
            return
        causes = sub.take()
        sub.building = True
        try:
            view = await run_in_threadpool(_build, app.state.sessions, claims, via_cookie, settings.chain_id)
        except ApiError as exc:
            await _close(websocket, POLICY_VIOLATION, exc.code)
            return
        except Exception as exc:  # noqa: BLE001 - a failed read ends this socket, not the process
            log.error("portfolio_push_failed", error_type=type(exc).__name__, exc_info=exc)
            await _close(websocket, INTERNAL_ERROR, "INTERNAL_ERROR")
            return
        sub.addresses, sub.projects, sub.building = view.addresses, view.projects, False
        message = PortfolioUpdate(data=view.portfolio, meta=view.meta.model_dump(mode="json"), causes=causes)
        try:
            await websocket.send_text(message.model_dump_json())
        except (WebSocketDisconnect, RuntimeError, OSError):  # the client left meanwhile
            return


async def _drain(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends, to notice when it leaves."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return


@router.websocket("/ws/portfolio")
async def portfolio_socket(websocket: WebSocket) -> None:
    settings: ApiSettings = websocket.app.state.settings
    # Accept first and close with 1008: a browser sees the code and the reason; a refused handshake is only 1006.
    await websocket.accept()
    try:
        token, via_cookie = _credentials(websocket, settings)
        claims = read_access_token(websocket.app.state.auth.jwt_key, token)
    except ApiError as exc:
        await _close(websocket, POLICY_VIOLATION, exc.code)
        return
    hub: Hub = websocket.app.state.portfolio_hub
    sub = hub.subscribe(claims.user_id)
    try:
        async with anyio.create_task_group() as tasks:

            async def push() -> None:
                await _push(websocket, sub, claims, via_cookie)
                tasks.cancel_scope.cancel()

            async def drain() -> None:
                await _drain(websocket)
                tasks.cancel_scope.cancel()

            tasks.start_soon(push)
            tasks.start_soon(drain)
    finally:
        hub.unsubscribe(sub)
