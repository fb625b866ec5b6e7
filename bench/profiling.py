"""py-spy sampling of this process (`.venv/bin/pip install py-spy`) and summaries of its collapsed stacks: self time
per function and per thread, and the share of samples under named functions (inclusive time)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path


def start_profiler(out: Path) -> subprocess.Popen[bytes] | None:
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(py_spy).exists():
        print("py-spy not installed (.venv/bin/pip install py-spy): no profile")
        return None
    args = [
        py_spy,
        "record",
        "--pid",
        str(os.getpid()),
        "--format",
        "raw",
        "--rate",
        "200",
        "--threads",
        "--gil",
        "--output",
        str(out),
    ]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def summarize_profile(raw: Path, top: int = 18) -> list[str]:
    """Self time per function, and per thread, from py-spy's collapsed stacks."""
    own: Counter[str] = Counter()
    threads: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        n = int(count)
        total += n
        threads[frames[0]] += n
        own[frames[-1].split(" (")[0] + " (" + frames[-1].split(" (")[-1] if " (" in frames[-1] else frames[-1]] += n
    lines = [f"samples: {total}"]
    lines += [f"  thread {t}: {100 * n / total:.1f}%" for t, n in threads.most_common()]
    lines += [f"  {100 * n / total:5.1f}%  {f}" for f, n in own.most_common(top)]
    return lines


def inclusive_shares(raw: Path, names: list[str]) -> dict[str, float]:
    """Percent of all samples whose stack passes through a function called `name` (each name counted once per
    stack), for each of `names`."""
    under: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        total += n
        functions = {frame.split(" (")[0].rsplit(".", 1)[-1] for frame in stack.split(";")}
        for name in names:
            if name in functions:
                under[name] += n
    return {name: round(100 * under[name] / total, 1) if total else 0.0 for name in names}


class Profiled:
    """`with Profiled(path, enabled):` samples this process with py-spy for the block (when enabled and
    installed); `summary(names)` then gives the self-time lines and the inclusive shares of `names`."""

    def __init__(self, raw: Path, enabled: bool) -> None:
        self.raw, self.enabled = raw, enabled
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Profiled:
        if self.enabled:
            self.raw.parent.mkdir(parents=True, exist_ok=True)
            self.raw.unlink(missing_ok=True)
            self.process = start_profiler(self.raw)
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(60)

    def summary(self, names: list[str], top: int = 25) -> dict[str, object] | None:
        if not self.enabled or not self.raw.exists():
            return None
        return {"self_time": summarize_profile(self.raw, top), "inclusive_percent": inclusive_shares(self.raw, names)}
