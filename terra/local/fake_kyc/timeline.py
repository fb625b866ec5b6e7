"""One background thread running the fake's delayed work in the order it falls due: completing checks after the
configured delay, and posting webhooks (retried on failure, as a provider does)."""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable

import structlog

log = structlog.get_logger("terra.fake_kyc")


class Timeline:
    def __init__(self) -> None:
        self._due: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="fake-kyc-timeline", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
        self._thread = None

    def after(self, seconds: float, job: Callable[[], None]) -> None:
        with self._cond:
            heapq.heappush(self._due, (time.monotonic() + seconds, next(self._seq), job))
            self._cond.notify_all()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopping and (not self._due or self._due[0][0] > time.monotonic()):
                    self._cond.wait(self._due[0][0] - time.monotonic() if self._due else None)
                if self._stopping:
                    return
                _, _, job = heapq.heappop(self._due)
            try:
                job()
            except Exception as exc:  # noqa: BLE001 - one broken job must not stop the fake's clock
                log.error("fake_kyc_job_failed", error=f"{type(exc).__name__}: {exc}")
