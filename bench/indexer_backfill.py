"""Backfill benchmark: a cached ~1,000,000-event chain (`bench/backfill_chain.py`, shape `hot` or `platform`) on
anvil into a fresh PostgreSQL database, several runs; per run events/s, peak RSS of the indexer (this process: the
indexer runs in-process), CPU seconds of the indexer, of the PostgreSQL backends serving the benchmark database and
of anvil, the load average, and the distinct holders the mirror ends with; then the spread over the runs. With
--profile, py-spy samples the indexer and the hottest functions are printed (`.venv/bin/pip install py-spy`).

    .venv/bin/python bench/indexer_backfill.py --shape hot --runs 3
    .venv/bin/python bench/indexer_backfill.py --shape platform --runs 3
    .venv/bin/python bench/indexer_backfill.py --shape platform --events 50000 --runs 1 --profile
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.backfill_chain import GAS_LIMIT, RESULTS, ensure_chain, paths  # noqa: E402
from bench.chain_shapes import SHAPES  # noqa: E402
from bench.databases import DEFAULT_SERVER, drop_database, fresh_database, postmaster_pid  # noqa: E402, F401
from bench.process_usage import UsageSampler, own_and_reaped_cpu_seconds, tree_cpu_seconds  # noqa: E402
from bench.profiling import start_profiler, summarize_profile  # noqa: E402
from core.db.engine import make_engine  # noqa: E402
from indexer.backfill import BackfillProgress  # noqa: E402
from indexer.rpc.client import RpcClient  # noqa: E402
from indexer.service import mirror_target  # noqa: E402
from indexer.sync import ChainMirror, SyncOptions  # noqa: E402
from terra.local.anvil import Anvil  # noqa: E402

# The mirror tables this bench reads, named once.
EVENTS_TABLE = "chain_events"
BALANCES_TABLE = "chain_balances"


def run_once(args: argparse.Namespace, state_file: Path, deployment: Any, server: str) -> dict[str, Any]:
    url = fresh_database(server)
    database = url.rsplit("/", 1)[1]
    node = Anvil(extra_args=("--gas-limit", GAS_LIMIT, "--load-state", str(state_file))).start(timeout=600)
    engine = make_engine(url)
    load_before = os.getloadavg()
    try:
        source = RpcClient([node.url], timeout=120)
        options = SyncOptions(max_block_range=args.max_block_range)
        mirror = ChainMirror(source, engine, mirror_target(deployment), options, on_progress=progress_printer())
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        postmaster = postmaster_pid(server)
        if postmaster is None:
            print("PostgreSQL runs on another machine: its CPU is not measured")
        usage = UsageSampler(postmaster, database)
        profiler = start_profiler(RESULTS / "backfill-profile.txt") if args.profile else None
        assert node.process is not None
        anvil_pid = node.process.pid
        before = {"indexer": own_and_reaped_cpu_seconds(), "anvil": tree_cpu_seconds(anvil_pid)}
        usage.start()
        began = time.monotonic()
        mirror.run(threading.Event(), until_head=True)
        elapsed = time.monotonic() - began
        usage.stop()
        pg_ours, pg_shared = usage.postgres_cpu()
        cpu = {
            "indexer": own_and_reaped_cpu_seconds() - before["indexer"],
            "postgres_backends": pg_ours,
            "postgres_shared_auxiliary": pg_shared,
            "anvil": tree_cpu_seconds(anvil_pid) - before["anvil"],
        }
        if profiler:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(60)
        with engine.connect() as conn:
            events = conn.exec_driver_sql(f"SELECT count(*) FROM {EVENTS_TABLE}").scalar_one()
            holders, rows = conn.exec_driver_sql(f"SELECT count(DISTINCT holder), count(*) FROM {BALANCES_TABLE}").one()
            size = conn.exec_driver_sql("SELECT pg_size_pretty(pg_database_size(current_database()))").scalar_one()
    finally:
        engine.dispose()
        node.stop()
        if not args.keep_db:
            drop_database(server, url)
    result: dict[str, Any] = {
        "events": events,
        "distinct_holders": holders,
        "balance_rows": rows,
        "seconds": round(elapsed, 2),
        "events_per_second": round(events / elapsed),
        "peak_rss_mb": round(usage.peak_rss_kb / 1024),
        "cpu_seconds": {k: round(v, 1) for k, v in cpu.items()},
        "postgres_backends_seen": len(usage.ours),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "database_size": size,
    }
    if args.profile and (RESULTS / "backfill-profile.txt").exists():
        result["profile"] = summarize_profile(RESULTS / "backfill-profile.txt")
    return result


def spread(runs: list[dict[str, Any]], value: Callable[[dict[str, Any]], float]) -> dict[str, float]:
    values = [value(r) for r in runs]
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def run(args: argparse.Namespace) -> dict[str, Any]:
    state_file, _ = paths(args.shape, args.events)
    if args.regenerate or not state_file.with_suffix(".meta").exists():
        # in its own process, so that the plan's memory does not count in the indexer's peak RSS
        generator = [sys.executable, str(REPO / "bench" / "backfill_chain.py"), "--shape", args.shape]
        subprocess.run([*generator, "--events", str(args.events)], check=True)
    state_file, deployment, meta = ensure_chain(args.shape, args.events)
    server = args.database_url or os.environ.get("DATABASE_URL") or DEFAULT_SERVER
    runs = []
    for n in range(1, args.runs + 1):
        print(f"run {n}/{args.runs} ({args.shape}), load average {os.getloadavg()[0]:.2f}", flush=True)
        runs.append(run_once(args, state_file, deployment, server))
        print(json.dumps({k: v for k, v in runs[-1].items() if k != "profile"}), flush=True)
    return {
        "shape": args.shape,
        "chain": meta,
        "state_file_mb": round(state_file.stat().st_size / 2**20),
        "database_server": server.rsplit("@", 1)[-1],
        "max_block_range": args.max_block_range,
        "runs": runs,
        "spread": {
            "events_per_second": spread(runs, lambda r: r["events_per_second"]),
            "peak_rss_mb": spread(runs, lambda r: r["peak_rss_mb"]),
            "cpu_indexer": spread(runs, lambda r: r["cpu_seconds"]["indexer"]),
            "cpu_postgres_backends": spread(runs, lambda r: r["cpu_seconds"]["postgres_backends"]),
        },
    }


def progress_printer() -> Callable[[BackfillProgress], None]:
    last = [0.0]

    def show(p: BackfillProgress) -> None:
        now = time.monotonic()
        if now - last[0] >= 10:
            last[0] = now
            print(
                f"  block {p.block:,}/{p.target_block:,}  {p.events:,} events  {p.events_per_second:,.0f}/s", flush=True
            )

    return show


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shape", choices=SHAPES, default="hot", help="hot: 7 investors; platform: ~80,000")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--max-block-range", type=int, default=10_000, help="as INDEXER_MAX_BLOCK_RANGE")
    parser.add_argument("--database-url", help="server to create the benchmark database on (default: DATABASE_URL)")
    parser.add_argument("--regenerate", action="store_true", help="generate the chain again even if cached")
    parser.add_argument("--profile", action="store_true", help="sample the indexer with py-spy")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    result = run(args)
    for r in result["runs"]:
        for line in r.pop("profile", []):
            print(line)
    print(json.dumps(result, indent=2))
    out = RESULTS / f"indexer_backfill-{args.shape}-{args.events}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"-> {out}")


if __name__ == "__main__":
    main()
