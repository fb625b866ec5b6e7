"""The services `terra dev` runs beside the chain, each in a thread with a shared stop event."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import structlog

from indexer.errors import IndexerHalt
from indexer.service import run_forever
from indexer.settings import IndexerSettings
from relayer.process import run_forever as run_relayer
from relayer.settings import RelayerSettings

log = structlog.get_logger("terra.dev")


@dataclass
class ServiceThreads:
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

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

    def alive(self) -> bool:
        return all(t.is_alive() for t in self.threads)

    def shutdown(self, timeout: float = 30.0) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout)
