"""CPU seconds and resident memory of the processes a benchmark run uses, read from /proc (Linux only).

PostgreSQL: only the backends serving the benchmark's own database are charged to the run (the machine's server
is shared with other work); the server's auxiliary processes (WAL writer, checkpointer...) serve every database
and are reported apart as `shared`; other databases' backends are left out.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a live process, 0 when it is gone."""
    return live_cpu_seconds(pid) or 0.0


def live_cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK


def own_and_reaped_cpu_seconds() -> float:
    """This process and its reaped children (none during a run: anvil is still running, measured apart)."""
    fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / TICK


def children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            out += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        pass
    return out


def tree_cpu_seconds(pid: int) -> float:
    """A process and its children (npm's anvil may be a launcher around the real binary)."""
    return cpu_seconds(pid) + sum(tree_cpu_seconds(c) for c in children(pid))


def rss_kb(pid: int | str = "self") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


# process titles of PostgreSQL's auxiliary processes (15): they work for every database on the server
AUXILIARY = ("checkpointer", "background writer", "walwriter", "autovacuum launcher", "logical replication launcher")


class UsageSampler(threading.Thread):
    """Every `interval` s: this process's RSS (its peak) and the CPU of the postmaster's children, split into the
    backends of `database` and the rest. A backend that exits between two samples loses at most `interval` of CPU
    (SQLAlchemy's pool keeps the indexer's connections open for the whole run)."""

    def __init__(self, postmaster: int | None, database: str, interval: float = 0.25) -> None:
        super().__init__(daemon=True, name="usage-sampler")
        self.postmaster = postmaster
        self.marker = f" {database} "  # the backend's process title: "postgres: 15/main: user database host state"
        self.interval = interval
        self.peak_rss_kb = 0
        self.done = threading.Event()
        self.base: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.ours: set[int] = set()
        self.auxiliary: set[int] = set()
        self.sample(baseline=True)

    def sample(self, baseline: bool = False) -> None:
        self.peak_rss_kb = max(self.peak_rss_kb, rss_kb())
        if self.postmaster is None:
            return
        for pid in children(self.postmaster):
            used = live_cpu_seconds(pid)
            if used is None:
                continue
            if pid not in self.last:
                self.base[pid] = used if baseline else 0.0
            if pid not in self.ours and pid not in self.auxiliary:  # a new backend names its database once started
                title = cmdline(pid)
                if self.marker in title:
                    self.ours.add(pid)
                elif any(name in title for name in AUXILIARY):
                    self.auxiliary.add(pid)
            self.last[pid] = used

    def run(self) -> None:
        while not self.done.wait(self.interval):
            self.sample()

    def stop(self) -> None:
        self.done.set()
        self.join()
        self.sample()

    def postgres_cpu(self) -> tuple[float, float]:
        """(backends of the benchmark database, the server's auxiliary processes) in CPU seconds since the baseline."""
        ours = sum(self.last[p] - self.base[p] for p in self.ours)
        shared = sum(self.last[p] - self.base[p] for p in self.auxiliary)
        return ours, shared
