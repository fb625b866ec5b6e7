"""The current request's id, readable anywhere while the request runs (envelopes, logs, error pages)."""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
# An id a proxy or client sent is kept only if it is short and plain: it ends up in logs and headers.
_ACCEPTED = re.compile(r"[A-Za-z0-9._-]{1,64}")


def new_request_id(offered: str | None = None) -> str:
    if offered is not None and _ACCEPTED.fullmatch(offered):
        return offered
    return "req_" + secrets.token_hex(8)


def set_request_id(value: str) -> None:
    _request_id.set(value)


def current_request_id() -> str:
    """The id of the request being served; a fresh one outside a request (never empty in an envelope)."""
    value = _request_id.get()
    return value if value is not None else new_request_id()
