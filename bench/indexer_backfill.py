"""Backfill benchmark: >= 1,000,000 events on anvil into a fresh PostgreSQL database; prints events/s, peak memory,
and the CPU each process spent (indexer, PostgreSQL backend, anvil). With --profile, py-spy samples the indexer
during the backfill and the hottest functions are printed (py-spy: `.venv/bin/pip install py-spy`, bench only).

    .venv/bin/python bench/indexer_backfill.py                     # 1M events; generates the chain once (cached)
    .venv/bin/python bench/indexer_backfill.py --events 50000 --profile
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.backfill_chain import GAS_LIMIT, RESULTS, ensure_chain  # noqa: E402
from core.db.engine import make_engine, sqlalchemy_url  # noqa: E402
from core.db.migrate import upgrade  # noqa: E402
from indexer.backfill import BackfillProgress  # noqa: E402
from indexer.rpc.client import RpcClient  # noqa: E402
from indexer.service import mirror_target  # noqa: E402
from indexer.sync import ChainMirror, SyncOptions  # noqa: E402
from terra.local.anvil import Anvil  # noqa: E402

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_and_reaped_cpu_seconds() -> float:
    """This process (and finished children, none here); anvil, a running child, is measured apart."""
    fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """A process and its children (npm's anvil is a node launcher around the real binary)."""
    total = cpu_seconds(pid)
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            total += tree_cpu_seconds(int(child))
    return total


class RssSampler(threading.Thread):
    """Peak resident memory of this process while the backfill runs (ru_maxrss would include start-up)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.25):
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    self.peak_kb = max(self.peak_kb, int(line.split()[1]))


def fresh_database(server: str) -> str:
    name = f"terra_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = sqlalchemy_url(server.rsplit("/", 1)[0] + f"/{name}")
    upgrade(url)
    return url


def drop_database(server: str, url: str) -> None:
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


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


def run(args: argparse.Namespace) -> dict[str, object]:
    state_file, deployment, generated = ensure_chain(args.events, args.regenerate)
    server = args.database_url or os.environ.get("DATABASE_URL") or DEFAULT_SERVER
    url = fresh_database(server)
    node = Anvil(extra_args=("--gas-limit", GAS_LIMIT, "--load-state", str(state_file))).start(timeout=600)
    engine = make_engine(url)
    try:
        source = RpcClient([node.url], timeout=120)
        options = SyncOptions(max_block_range=args.max_block_range)
        mirror = ChainMirror(source, engine, mirror_target(deployment), options, on_progress=progress_printer())
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        sampler = RssSampler()
        profiler = start_profiler(RESULTS / "backfill-profile.txt") if args.profile else None
        before = {"indexer": own_and_reaped_cpu_seconds(), "anvil": tree_cpu_seconds(node.process.pid)}  # type: ignore[union-attr]
        pg_before = sum(cpu_seconds(p) for p in postgres_pids())
        sampler.start()
        began = time.monotonic()
        mirror.run(threading.Event(), until_head=True)
        elapsed = time.monotonic() - began
        sampler.done.set()
        cpu = {
            "indexer": own_and_reaped_cpu_seconds() - before["indexer"],
            "anvil": tree_cpu_seconds(node.process.pid) - before["anvil"],  # type: ignore[union-attr]
            "postgres": sum(cpu_seconds(p) for p in postgres_pids()) - pg_before,
        }
        if profiler:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(60)
        with engine.connect() as conn:
            events = conn.exec_driver_sql("SELECT count(*) FROM chain_events").scalar_one()
            size = conn.exec_driver_sql("SELECT pg_size_pretty(pg_database_size(current_database()))").scalar_one()
    finally:
        engine.dispose()
        node.stop()
        if not args.keep_db:
            drop_database(server, url)
    result = {
        "events": events,
        "generated_at_least": generated,
        "seconds": round(elapsed, 2),
        "events_per_second": round(events / elapsed),
        "peak_rss_mb": round(sampler.peak_kb / 1024),
        "cpu_seconds": {k: round(v, 1) for k, v in cpu.items()},
        "database_size": size,
        "max_block_range": args.max_block_range,
    }
    if args.profile and (RESULTS / "backfill-profile.txt").exists():
        result["profile"] = summarize_profile(RESULTS / "backfill-profile.txt")
    return result


def postgres_pids() -> list[int]:
    """Every PostgreSQL server process on this machine (backends, WAL writer, checkpointer...)."""
    out = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if (proc / "comm").read_text().strip().startswith("postgres"):
                    out.append(int(proc.name))
            except OSError:
                continue
    return out


def progress_printer():  # type: ignore[no-untyped-def]
    last = [0.0]

    def show(p: BackfillProgress) -> None:
        now = time.monotonic()
        if now - last[0] >= 5:
            last[0] = now
            print(
                f"  block {p.block:,}/{p.target_block:,}  {p.events:,} events  {p.events_per_second:,.0f}/s", flush=True
            )

    return show


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--max-block-range", type=int, default=10_000, help="as INDEXER_MAX_BLOCK_RANGE")
    parser.add_argument("--database-url", help="server to create the benchmark database on (default: DATABASE_URL)")
    parser.add_argument("--regenerate", action="store_true", help="generate the chain again even if cached")
    parser.add_argument("--profile", action="store_true", help="sample the indexer with py-spy")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    result = run(args)
    for line in result.pop("profile", []):  # type: ignore[union-attr]
        print(line)
    print(json.dumps(result, indent=2))
    (RESULTS / f"indexer_backfill-{args.events}.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
