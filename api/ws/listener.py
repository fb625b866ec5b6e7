"""The API process's one LISTEN connection (psycopg async, autocommit) on the notification channels: reconnects
with backoff when it drops, and then asks the hub to push a fresh state to every socket, since notifications sent
while it was away are lost for good."""

from __future__ import annotations

import asyncio
import contextlib

import psycopg
import structlog
from sqlalchemy import Engine

from api.ws.hub import Hub
from core.db.notify import CHANNELS

log = structlog.get_logger("api.ws")
APPLICATION_NAME = "terra-api-listen"
MAX_RETRY_SECONDS = 30.0


def listen_conninfo(engine: Engine) -> str:
    """The engine's database as a libpq URL (same server, user and options as the pool)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


class Listener:
    def __init__(self, conninfo: str, hub: Hub, *, retry_seconds: float, keepalive_seconds: float) -> None:
        self._conninfo = conninfo
        self._hub = hub
        self._retry = retry_seconds
        self._keepalive = keepalive_seconds
        self._task: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()  # set while LISTEN is in place
        self.backend_pid: int | None = None  # the server process of the LISTEN connection (ops, tests)
        self.connections = 0  # successful LISTENs so far

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="terra-api-listen")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        delay = self._retry
        while True:
            before = self.connections
            try:
                await self._listen()
            except (psycopg.Error, OSError) as exc:
                log.warning("listen_connection_lost", error_type=type(exc).__name__, error=str(exc)[:200])
            else:  # the stream ended without an error: as lost
                log.warning("listen_connection_closed")
            finally:
                self.listening.clear()
                self.backend_pid = None
            if self.connections > before:  # it had worked: retry soon, then back off
                delay = self._retry
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RETRY_SECONDS)

    async def _listen(self) -> None:
        async with await psycopg.AsyncConnection.connect(
            self._conninfo, autocommit=True, application_name=APPLICATION_NAME
        ) as conn:
            for channel in CHANNELS:
                await conn.execute(f"LISTEN {channel}")  # constant names, not input
            self.backend_pid = conn.info.backend_pid
            self.connections += 1
            self.listening.set()
            log.info("listening", channels=list(CHANNELS), reconnect=self.connections > 1)
            if len(self._hub):  # sockets that were open while no LISTEN was in place may have missed updates
                self._hub.resync_all("listen connection re-established")
            while True:
                async for note in conn.notifies(timeout=self._keepalive):
                    self._hub.dispatch(note.channel, note.payload)
                await conn.execute("SELECT 1")  # idle: a dead link fails here instead of waiting forever
