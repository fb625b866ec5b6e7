"""Benchmark of the local content store: add and get of 1 MiB and 100 MiB files, throughput and peak memory.

Run: `.venv/bin/python bench/ipfs_store.py [--runs N] [--dir PATH]`. Files are streamed from and to disk, never
held whole in memory; the Python heap peak of each operation is measured with tracemalloc in a separate run,
so the timed runs carry no tracing overhead.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

# Runs from a checkout without installing the package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ipfs.local_store import LocalStore  # noqa: E402

MIB = 1024 * 1024
SIZES = (1 * MIB, 100 * MIB)


def write_random_file(path: Path, size: int) -> str:
    digest = hashlib.sha256()
    with path.open("wb") as f:
        for offset in range(0, size, MIB):
            piece = os.urandom(min(MIB, size - offset))
            digest.update(piece)
            f.write(piece)
    return digest.hexdigest()


def timed(operation: Callable[[], object], runs: int) -> tuple[float, object]:
    seconds = []
    result: object = None
    for _ in range(runs):
        start = time.perf_counter()
        result = operation()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), result


def heap_peak(operation: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        operation()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def fresh_store(base: Path, durable: bool) -> LocalStore:
    root = Path(tempfile.mkdtemp(dir=base, prefix="store-"))
    return LocalStore(root, durable=durable)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per operation (median reported)")
    parser.add_argument("--dir", type=Path, default=None, help="where the files and stores go (default: a temp dir)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(dir=args.dir, prefix="terra-ipfs-bench-") as tmp:
        base = Path(tmp)
        print(f"{'operation':<28}{'size':>9}{'MiB/s':>10}{'heap peak':>12}")
        for size in SIZES:
            source = base / f"in-{size}"
            expected = write_random_file(source, size)
            for durable in (True, False):
                label = "add (fsync)" if durable else "add (no fsync)"

                def add(durable: bool = durable, source: Path = source) -> str:
                    store = fresh_store(base, durable)  # a fresh store each run: no deduplication shortcut
                    with source.open("rb") as f:
                        return store.add(f)

                seconds, cid = timed(add, args.runs)
                print(f"{label:<28}{size // MIB:>6} MiB{size / MIB / seconds:>10.1f}{heap_peak(add) / MIB:>8.1f} MiB")

            store = fresh_store(base, durable=False)
            with source.open("rb") as f:
                cid = store.add(f)
            target = base / f"out-{size}"

            def get(store: LocalStore = store, cid: str = str(cid), target: Path = target) -> None:
                with target.open("wb") as out:
                    for piece in store.stream(cid):
                        out.write(piece)

            seconds, _ = timed(get, args.runs)
            print(
                f"{'get (verified, to a file)':<28}{size // MIB:>6} MiB{size / MIB / seconds:>10.1f}"
                f"{heap_peak(get) / MIB:>8.1f} MiB"
            )
            assert write_hash(target) == expected, "get returned different bytes"

    # ru_maxrss is in KiB on Linux: the whole process, interpreter and libraries included.
    print(f"process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MiB")


def write_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while piece := f.read(MIB):
            digest.update(piece)
    return digest.hexdigest()


if __name__ == "__main__":
    main()
