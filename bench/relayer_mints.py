"""Sustained mints per second and webhook -> mint latency of the relayer, against anvil mining a block every second.

    .venv/bin/python bench/relayer_mints.py [--batch-sizes 1,100] [--investments 2000] [--single-investments 150]

For each mint batch size (RELAYER_MINT_BATCH_SIZE), on a fresh stack (bench/relayer_stack.py):

1. burst: N card investments are created (as the API would, each by a new user, before the clock starts), then
   their signed `payment_intent.succeeded` are posted by 8 client threads as fast as the relayer takes them; the
   clock runs until every investment is `completed` (its mint indexed). Mints/s = N / (first post -> last mint
   included); also over the mint blocks only, per block, and the same to `completed`.
2. paced: webhooks at `--rate` per second for `--seconds` (new investments, one client thread), each timed from
   its POST to the first sight of the block holding its mint (a watcher polls the head every 10 ms) and to its
   `completed` status change.

Printed and written to bench/results/relayer_mints.json: throughput, latency percentiles, mint transactions and
their sizes, gas per mint, peak RSS of this process (relayer + indexer + clients, in-process), CPU seconds of this
process, of anvil and of the PostgreSQL backends of the benchmark database.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.databases import postmaster_pid  # noqa: E402
from bench.process_usage import UsageSampler, own_and_reaped_cpu_seconds, tree_cpu_seconds  # noqa: E402
from bench.profiling import Profiled  # noqa: E402
from bench.relayer_stack import (  # noqa: E402
    RESULTS,
    BenchStack,
    BlockWatcher,
    Payment,
    bench_stack,
    database_server,
    percentile,
    signed_headers,
)

CLIENT_THREADS = 8
# What a profile of the burst is summed under: the worker passes, the manager's steps, the webhook, the indexer.
PROFILED = [
    "run_follow_passes",
    "run_send_passes",
    "process_stripe_events",
    "judge_crypto_payments",
    "follow_index",
    "follow_mint_transactions",
    "follow_compliance_transactions",
    "drain_compliance_intents",
    "drain_mint_intents",
    "tick",
    "_follow_blocks",
    "_follow_receipts",
    "_fill_gaps",
    "_sign_queued",
    "_send_signed",
    "_replace_or_resend",
    "_is_allowed",
    "still_needed",
    "_estimate",
    "address",
    "settle",
    "stripe_webhook",
    "run_forever",
    "post_all",
]


def post_all(url: str, payments: list[Payment], threads: int = CLIENT_THREADS) -> dict[uuid.UUID, float]:
    """POST every payment's event (threads of keep-alive clients); the wall-clock time each POST was sent."""
    local = threading.local()
    sent: dict[uuid.UUID, float] = {}

    def post(p: Payment) -> None:
        http = getattr(local, "http", None)
        if http is None:
            http = local.http = httpx.Client(timeout=60)
        sent[p.investment_id] = time.time()
        r = http.post(url, content=p.body, headers=signed_headers(p.body))
        if r.status_code != 200:
            raise RuntimeError(f"webhook answered {r.status_code}: {r.text[:200]}")

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(post, payments))
    return sent


def post_paced(url: str, payments: list[Payment], rate: float) -> dict[uuid.UUID, float]:
    sent: dict[uuid.UUID, float] = {}
    start = time.monotonic()
    with httpx.Client(timeout=60) as http:
        for i, p in enumerate(payments):
            time.sleep(max(0.0, start + i / rate - time.monotonic()))
            sent[p.investment_id] = time.time()
            r = http.post(url, content=p.body, headers=signed_headers(p.body))
            if r.status_code != 200:
                raise RuntimeError(f"webhook answered {r.status_code}: {r.text[:200]}")
    return sent


def latencies(
    stack: BenchStack, watcher: BlockWatcher, payments: list[Payment], sent: dict[uuid.UUID, float]
) -> tuple[dict[uuid.UUID, float], dict[uuid.UUID, float], dict[str, int]]:
    """(included at, completed at) per investment, and the mint block of each payment reference."""
    blocks = stack.mint_blocks([p.payment_ref for p in payments])
    included = {p.investment_id: watcher.seen[blocks[p.payment_ref]] for p in payments}
    completed = stack.completed_at([p.investment_id for p in payments])
    return included, completed, blocks


def summary_ms(values: list[float]) -> dict[str, float]:
    ms = [1000 * v for v in values]
    return {
        "p50_ms": round(percentile(ms, 50), 0),
        "p95_ms": round(percentile(ms, 95), 0),
        "max_ms": round(max(ms), 0),
        "mean_ms": round(statistics.fmean(ms), 0),
    }


def burst(stack: BenchStack, n: int, timeout: float) -> dict[str, Any]:
    payments = stack.card_payments(n)
    ids = [p.investment_id for p in payments]
    watcher = BlockWatcher(stack.node.url, interval=0.025)
    watcher.start()
    time.sleep(0.1)
    t0 = time.time()
    sent = post_all(stack.webhook_url, payments)
    t_posted = time.time()
    stack.wait_reached(ids, timeout)
    watcher.stop()
    included, completed, blocks = latencies(stack, watcher, payments, sent)
    per_block = Counter(blocks.values())
    first, last = min(per_block), max(per_block)
    block_span = watcher.seen[last] - watcher.seen.get(first - 1, t0)
    t_included, t_completed = max(included.values()), max(completed.values())
    return {
        "investments": n,
        "webhooks_per_s_during_burst": round(n / (t_posted - t0), 1),
        "mints_per_s_first_post_to_last_included": round(n / (t_included - t0), 1),
        "mints_per_s_over_mint_blocks": round(n / block_span, 1),
        "completed_per_s_first_post_to_last_completed": round(n / (t_completed - t0), 1),
        "seconds_to_all_included": round(t_included - t0, 2),
        "seconds_to_all_completed": round(t_completed - t0, 2),
        "mint_blocks": len(per_block),
        "most_mints_in_one_block": max(per_block.values()),
        "webhook_to_included": summary_ms([included[i] - sent[i] for i in ids]),
        "webhook_to_completed": summary_ms([completed[i] - sent[i] for i in ids]),
    }


def paced(stack: BenchStack, rate: float, seconds: float, timeout: float) -> dict[str, Any]:
    payments = stack.card_payments(max(1, int(rate * seconds)))
    ids = [p.investment_id for p in payments]
    watcher = BlockWatcher(stack.node.url, interval=0.025)
    watcher.start()
    time.sleep(0.1)
    sent = post_paced(stack.webhook_url, payments, rate)
    stack.wait_reached(ids, timeout)
    watcher.stop()
    included, completed, _ = latencies(stack, watcher, payments, sent)
    return {
        "investments": len(payments),
        "rate_per_s": rate,
        "webhook_to_included": summary_ms([included[i] - sent[i] for i in ids]),
        "webhook_to_completed": summary_ms([completed[i] - sent[i] for i in ids]),
    }


def mint_gas(stack: BenchStack) -> dict[str, Any]:
    txs = stack.mint_transactions()
    sizes = Counter(n for _, _, n in txs)
    gas, mints = sum(g for _, g, _ in txs), sum(n for _, _, n in txs)
    return {
        "mint_transactions": len(txs),
        "batch_sizes": {str(k): v for k, v in sorted(sizes.items())},
        "gas_per_mint": round(gas / mints) if mints else None,
    }


def run(
    batch_size: int,
    n: int,
    rate: float,
    seconds: float,
    poll_interval: float | None,
    timeout: float,
    profile: bool = False,
) -> dict[str, Any]:
    overrides: dict[str, Any] = {"relayer_mint_batch_size": batch_size}
    if poll_interval is not None:
        overrides["relayer_poll_interval"] = poll_interval
    with bench_stack(**overrides) as stack:
        pid = os.getpid()
        server = database_server()
        sampler = UsageSampler(postmaster_pid(server), stack.database_url.rsplit("/", 1)[1])
        sampler.start()
        cpu0 = own_and_reaped_cpu_seconds()
        anvil_pid = stack.node.process.pid if stack.node.process else pid
        anvil0 = tree_cpu_seconds(anvil_pid)
        result: dict[str, Any] = {
            "batch_size": batch_size,
            "poll_interval_s": stack.settings.relayer_poll_interval,
            "block_time_s": 1,
        }
        with Profiled(RESULTS / f"relayer-mints-profile-{batch_size}.txt", profile) as profiler:
            result["burst"] = burst(stack, n, timeout)
        result["paced"] = paced(stack, rate, seconds, timeout) if rate > 0 and seconds > 0 else None
        sampler.stop()
        pg_ours, pg_shared = sampler.postgres_cpu()
        stack.wait_receipts()
        result |= mint_gas(stack)
        result |= {
            "peak_rss_mb": round(sampler.peak_rss_kb / 1024),
            "cpu_s_bench_process": round(own_and_reaped_cpu_seconds() - cpu0, 1),
            "cpu_ms_per_investment_bench_process": round(
                1000 * (own_and_reaped_cpu_seconds() - cpu0) / (n + (result["paced"] or {}).get("investments", 0)), 1
            ),
            "cpu_s_anvil": round(tree_cpu_seconds(anvil_pid) - anvil0, 1),
            "cpu_s_postgres_backends": round(pg_ours, 1),
            "cpu_s_postgres_shared": round(pg_shared, 1),
            "load_average_after": round(os.getloadavg()[0], 2),
        }
        hot = profiler.summary(PROFILED)
        if hot is not None:
            result["profile_burst"] = hot
        return result


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch-sizes", default="1,100", help="comma-separated RELAYER_MINT_BATCH_SIZE values")
    parser.add_argument("--investments", type=int, default=2000, help="burst size for batched runs")
    parser.add_argument("--single-investments", type=int, default=150, help="burst size when the batch size is 1")
    parser.add_argument("--rate", type=float, default=20.0, help="paced webhooks per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the paced phase")
    parser.add_argument("--poll-interval", type=float, default=None, help="RELAYER_POLL_INTERVAL (default: its own)")
    parser.add_argument("--timeout", type=float, default=600.0, help="give up waiting for completion after this")
    parser.add_argument("--profile", action="store_true", help="sample the burst with py-spy")
    parser.add_argument("--output", type=Path, default=RESULTS / "relayer_mints.json")
    args = parser.parse_args(argv)
    results = []
    for size in [int(s) for s in args.batch_sizes.split(",")]:
        n = args.single_investments if size == 1 else args.investments
        result = run(size, n, args.rate, args.seconds, args.poll_interval, args.timeout, args.profile)
        print(json.dumps(result, indent=2), flush=True)
        results.append(result)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    main()
