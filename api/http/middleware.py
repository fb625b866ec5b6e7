"""ASGI middleware: request ids, access logs and metrics, the last-resort error envelope, body size limit and
security headers. Plain ASGI (no BaseHTTPMiddleware) so that streaming and contextvars behave."""

from __future__ import annotations

import time
from collections.abc import Iterable

import structlog
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import metrics
from api.errors import PayloadTooLarge, error_response
from api.request_context import new_request_id, set_request_id

log = structlog.get_logger("api.http")
REQUEST_ID_HEADER = "x-request-id"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


ROUTE_LABEL = "_terra_route_label"


def label_routes(app: FastAPI) -> None:
    """Give every route its full path template (with the prefixes of the routers it was included through: FastAPI
    keeps a route's own path relative) as the label its metrics and logs carry."""
    for context in iter_route_contexts(app.routes):
        if context.path_format is not None:
            setattr(context.original_route, ROUTE_LABEL, context.path_format)


def _route_label(scope: Scope) -> str:
    label = getattr(scope.get("route"), ROUTE_LABEL, None)
    return label if isinstance(label, str) else metrics.UNMATCHED_ROUTE


class RequestContextMiddleware:
    """Outermost: gives each request an id (X-Request-ID in and out, in every log line and envelope), logs and
    counts it by route template, and turns any exception that got this far into the 500 envelope."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_request_id(_header(scope, REQUEST_ID_HEADER.encode()))
        set_request_id(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            except Exception as exc:  # noqa: BLE001 - the one place a bug becomes an answer instead of a dropped connection
                if response_started:
                    log.error("error_after_response_started", error_type=type(exc).__name__, exc_info=exc)
                else:
                    await error_response(exc)(scope, receive, send_with_id)
            finally:
                elapsed = time.perf_counter() - started
                route = _route_label(scope)
                method = scope.get("method", "")
                metrics.REQUESTS.labels(method, route, str(status)).inc()
                metrics.LATENCY.labels(method, route).observe(elapsed)
                log.info(
                    "request",
                    method=method,
                    path=scope.get("path", ""),  # never the query string: it may carry a token
                    route=route,
                    status=status,
                    duration_ms=round(elapsed * 1000, 2),
                )


class _BodyTooLarge(StarletteHTTPException):
    """An HTTPException so that FastAPI's body parsing re-raises it (it wraps anything else into a 400)."""

    def __init__(self) -> None:
        super().__init__(413)


class BodyLimitMiddleware:
    """413 PAYLOAD_TOO_LARGE before a large body is read: by Content-Length up front, or by counting a chunked one."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = _header(scope, b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await error_response(PayloadTooLarge(details={"max_bytes": self.max_bytes}))(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _BodyTooLarge()
            return message

        try:
            await self.app(scope, counted, send)
        except _BodyTooLarge:
            await error_response(PayloadTooLarge(details={"max_bytes": self.max_bytes}))(scope, receive, send)


# Swagger UI loads its script and styles from a CDN; every other answer is JSON and may load nothing.
_DOCS_PATHS = ("/docs", "/redoc")
_API_CSP = "default-src 'none'; frame-ancestors 'none'"
HSTS = "max-age=63072000; includeSubDomains"


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, always_hsts: bool) -> None:
        self.app = app
        self.always_hsts = always_hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Behind a TLS proxy uvicorn's proxy headers make the scheme https (API_FORWARDED_ALLOW_IPS).
        hsts = self.always_hsts or scope.get("scheme") == "https"
        docs = str(scope.get("path", "")).startswith(_DOCS_PATHS)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _security_headers(hsts, docs):
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)


def _security_headers(hsts: bool, docs: bool) -> Iterable[tuple[str, str]]:
    yield "X-Content-Type-Options", "nosniff"
    yield "X-Frame-Options", "DENY"
    yield "Referrer-Policy", "no-referrer"
    yield "Cross-Origin-Opener-Policy", "same-origin"
    if not docs:
        yield "Content-Security-Policy", _API_CSP
        yield "Cache-Control", "no-store"
    if hsts:
        yield "Strict-Transport-Security", HSTS
