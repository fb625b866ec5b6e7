"""Cached project reads (the seed's caching strategy, TTL 300 s): in Redis when REDIS_URL is set (shared by the
replicas), in process memory otherwise.

Nothing is ever deleted to invalidate: every key holds the cache stamp (repository.cache_stamp), i.e. the
catalogue version and the indexer checkpoint (block, hash, finalized block), read in one query per request. A new
indexed block or a reorg changes the checkpoint; any write to projects, project_documents or project_updates
changes the version in the same transaction (statement triggers of migration 0009), so a committed change is never
served stale and old entries just expire (API_CACHE_STAMP_SECONDS > 0 trades that for no database read at all on
most hits: a worker then reuses the stamp that long). The admin side needs to call nothing for writes to those
tables; for a change the triggers cannot see, it calls `invalidate(session)` inside its transaction.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import redis
import structlog
from sqlalchemy.orm import Session
from starlette.requests import Request

from api.projects import repository
from api.projects.repository import CacheStamp
from api.settings import ApiSettings

log = structlog.get_logger("api.projects.cache")
MEMORY_MAX_ENTRIES = 4096  # bounded: query strings are chosen by clients
REDIS_TIMEOUT_SECONDS = 0.25  # a slow Redis costs a database read, never a slow answer


def invalidate(session: Session) -> None:
    """Make every cached project answer stale once `session`'s transaction commits (all replicas, both backends)."""
    repository.bump_catalogue_version(session)


class CacheBackend(Protocol):
    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes, ttl_seconds: int) -> None: ...


class MemoryCache:
    """A least-recently-used dict with expiry, safe across the threads that serve requests."""

    def __init__(self, max_entries: int = MEMORY_MAX_ENTRIES) -> None:
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_entries

    def get(self, key: str) -> bytes | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] <= time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + ttl_seconds, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)


class RedisCache:
    """SETEX / GET on Redis; when Redis fails the answer is read from the database (and the failure logged)."""

    def __init__(self, url: str) -> None:
        self._client = redis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
        )
        self._warned_at = 0.0

    def _failed(self, exc: redis.RedisError) -> None:
        now = time.monotonic()
        if now - self._warned_at > 60:  # one line a minute, not one per request
            self._warned_at = now
            log.warning("project_cache_unavailable", error=type(exc).__name__)

    def get(self, key: str) -> bytes | None:
        try:
            value = self._client.get(key)
        except redis.RedisError as exc:
            self._failed(exc)
            return None
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        try:
            self._client.set(key, value, ex=ttl_seconds)
        except redis.RedisError as exc:
            self._failed(exc)


@dataclass
class ReadCache:
    backend: CacheBackend | None  # None: caching off
    ttl_seconds: int
    prefix: str

    def key(self, kind: str, stamp: CacheStamp, detail: str) -> str:
        return f"{self.prefix}projects:{kind}:{stamp.key}:{detail}"

    def get(self, key: str) -> bytes | None:
        return self.backend.get(key) if self.backend is not None else None

    def set(self, key: str, value: bytes) -> None:
        if self.backend is not None:
            self.backend.set(key, value, self.ttl_seconds)


_UNKNOWN = "?"


@dataclass
class ProjectsRuntime:
    """Per app: the cache, and which radius search the database offers (found at the first request)."""

    cache: ReadCache
    postgis: str | None = _UNKNOWN
    # API_CACHE_STAMP_SECONDS: 0 reads the stamp on every request.
    stamp_seconds: float = 0.0
    _stamp: tuple[float, int | None, CacheStamp] | None = None

    def postgis_schema(self, session: Session) -> str | None:
        if self.postgis == _UNKNOWN:
            self.postgis = repository.postgis_schema(session)
        return self.postgis

    def recent_stamp(self, chain_id: int | None, read: Callable[[int | None], CacheStamp]) -> CacheStamp:
        """The stamp, read again only when the one held is older than `stamp_seconds`."""
        held, now = self._stamp, time.monotonic()
        if held is not None and held[1] == chain_id and now < held[0]:
            return held[2]
        stamp = read(chain_id)
        if self.stamp_seconds > 0:
            self._stamp = (now + self.stamp_seconds, chain_id, stamp)
        return stamp


def make_cache(settings: ApiSettings) -> ReadCache:
    backend: CacheBackend | None = None
    if settings.api_cache_ttl_seconds > 0:
        backend = RedisCache(settings.redis_url) if settings.redis_url else MemoryCache()
    return ReadCache(backend, settings.api_cache_ttl_seconds, settings.api_cache_prefix)


_create_lock = threading.Lock()


async def projects_runtime(request: Request) -> ProjectsRuntime:
    runtime: ProjectsRuntime | None = getattr(request.app.state, "projects", None)
    if runtime is None:
        with _create_lock:
            runtime = getattr(request.app.state, "projects", None)
            if runtime is None:
                settings: ApiSettings = request.app.state.settings
                runtime = ProjectsRuntime(make_cache(settings), stamp_seconds=settings.api_cache_stamp_seconds)
                request.app.state.projects = runtime
    return runtime
