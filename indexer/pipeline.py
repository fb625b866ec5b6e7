"""Two-thread stages for the backfill: read ahead (RPC + JSON) and write behind (PostgreSQL). Python work, RPC
waits and database waits then overlap; errors cross back to the caller's thread. Order is kept: one thread each."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Generic, Protocol, TypeVar

T = TypeVar("T")

_DONE = object()


class StopFlag(Protocol):
    def is_set(self) -> bool: ...


class EitherStop:
    """Set when the caller's stop or the stage's own is."""

    def __init__(self, outer: threading.Event) -> None:
        self.outer, self.own = outer, threading.Event()

    def is_set(self) -> bool:
        return self.outer.is_set() or self.own.is_set()


def _put(q: queue.Queue[object], item: object, stop: EitherStop) -> bool:
    while not stop.is_set():
        try:
            q.put(item, timeout=0.2)
            return True
        except queue.Full:
            continue
    return False


class ReadAhead(Generic[T]):
    """Runs `produce(stop)` in a thread, `depth` items ahead; iterate to consume them in order."""

    def __init__(self, produce: Callable[[EitherStop], Iterator[T]], stop: threading.Event, depth: int = 2) -> None:
        self._queue: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._stop = EitherStop(stop)
        self._thread = threading.Thread(target=self._pump, args=(produce,), name="read-ahead", daemon=True)
        self._thread.start()

    def _pump(self, produce: Callable[[EitherStop], Iterator[T]]) -> None:
        try:
            for item in produce(self._stop):
                if not _put(self._queue, item, self._stop):
                    return
            _put(self._queue, _DONE, self._stop)
        except BaseException as exc:  # handed to the consuming thread, which raises it
            _put(self._queue, exc, self._stop)

    def close(self) -> None:
        self._stop.own.set()
        self._thread.join()

    def __iter__(self) -> Iterator[T]:
        while True:
            try:
                item = self._queue.get(timeout=0.2)
            except queue.Empty:
                if self._stop.is_set() or not self._thread.is_alive() and self._queue.empty():
                    return
                continue
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]


class WriteBehind(Generic[T]):
    """`submit` hands items to `consume`, run in order in one thread at most `depth` items behind. `close` waits
    for the rest; the first error is raised by the next `submit` or by `close`, and later items are dropped."""

    def __init__(self, consume: Callable[[T], None], stop: threading.Event, depth: int = 1) -> None:
        self._queue: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._stop = EitherStop(stop)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._drain, args=(consume,), name="write-behind", daemon=True)
        self._thread.start()

    def _drain(self, consume: Callable[[T], None]) -> None:
        while True:
            item = self._queue.get()
            if item is _DONE:
                return
            if self._error is None and not self._stop.outer.is_set():
                try:
                    consume(item)  # type: ignore[arg-type]
                except BaseException as exc:
                    self._error = exc

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def submit(self, item: T) -> None:
        self._raise()
        while True:
            try:
                self._queue.put(item, timeout=0.2)
                return
            except queue.Full:
                self._raise()

    def close(self) -> None:
        self._queue.put(_DONE)
        self._thread.join()
        self._raise()
