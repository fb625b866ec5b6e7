"""The services `terra dev` runs beside the chain, each in a thread with a shared stop event."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import structlog

from indexer.errors import IndexerHalt
from indexer.service import run_forever
from indexer.settings import IndexerSettings
from relayer.process import run_forever as run_relayer
from relayer.settings import RelayerSettings

if TYPE_CHECKING:
    import uvicorn

    from api.settings import ApiSettings

log = structlog.get_logger("terra.dev")


@dataclass
class ServiceThreads:
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    servers: list[uvicorn.Server] = field(default_factory=list)

    def start_indexer(self, settings: IndexerSettings) -> None:
        def run() -> None:
            try:
                run_forever(settings, self.stop)
            except IndexerHalt as exc:  # the mirror refused to corrupt itself: say so, keep the chain up
                self.failures.append(f"indexer halted: {exc}")
                log.error("indexer_halted", error=str(exc))

        thread = threading.Thread(target=run, name="indexer", daemon=True)
        thread.start()
        self.threads.append(thread)

    def start_relayer(self, settings: RelayerSettings) -> None:
        def run() -> None:
            try:
                run_relayer(settings, self.stop)
            except Exception as exc:  # noqa: BLE001 - reported as a failed service; the stack then stops
                self.failures.append(f"relayer stopped: {type(exc).__name__}: {exc}")
                log.error("relayer_stopped", error=str(exc))

        thread = threading.Thread(target=run, name="relayer", daemon=True)
        thread.start()
        self.threads.append(thread)

    def start_api(self, settings: ApiSettings) -> str:
        """The API under uvicorn in a thread (uvicorn installs no signal handlers off the main thread: Ctrl-C stays
        with `terra dev`, which stops the server through `should_exit`). Returns its base URL once it answers."""
        import uvicorn

        from api.app import create_app

        config = uvicorn.Config(
            create_app(settings), host=settings.api_host, port=settings.api_port, log_config=None, access_log=False
        )
        server = uvicorn.Server(config)

        def run() -> None:
            try:
                server.run()
            except BaseException as exc:  # noqa: BLE001 - uvicorn exits (SystemExit) when it cannot bind
                self.failures.append(f"api stopped: {type(exc).__name__}: {exc}")
                log.error("api_stopped", error=str(exc))
                return
            if not self.stop.is_set():
                self.failures.append(f"api stopped (port {settings.api_port} in use? set API_PORT)")

        thread = threading.Thread(target=run, name="api", daemon=True)
        thread.start()
        self.threads.append(thread)
        self.servers.append(server)
        # The banner prints the URL once it answers (or the failure, once uvicorn gave up).
        deadline = time.monotonic() + 60
        while not server.started and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        return f"http://{settings.api_host}:{settings.api_port}"

    def alive(self) -> bool:
        return all(t.is_alive() for t in self.threads)

    def shutdown(self, timeout: float = 30.0) -> None:
        self.stop.set()
        for server in self.servers:
            server.should_exit = True
        for thread in self.threads:
            thread.join(timeout)
