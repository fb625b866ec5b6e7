"""Sustained mints per second of confirmed payments: the outbox draining into the chain, on 1 s blocks.

    .venv/bin/python bench/relayer_outbox.py [--batch-sizes 1,100] [--investments 3000] [--single-investments 100]
                                             [--users 50]

`bench/relayer_mints.py` times the whole walk from the webhook; this times the stage the batching serves. For each
mint batch size, on a fresh stack (bench/relayer_stack.py, anvil mining a block every second):

1. before the clock: N card investments of `--users` returning payers, their `payment_intent.succeeded` stored
   and processed pass by pass (payments `paid`, mint intents waiting, the payers' custodial addresses allowlisted);
2. the clock starts with the relayer (webhook server, worker, transaction manager) and runs until every mint is
   included in a block (seen by a watcher polling the head every 25 ms) and until every investment is `completed`
   (its mint indexed).

Printed and written to bench/results/relayer_outbox.json: mints/s to inclusion and to `completed`, mints per
block, mint transactions and their sizes, gas per mint, CPU seconds of this process per mint.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.process_usage import own_and_reaped_cpu_seconds  # noqa: E402
from bench.relayer_stack import RESULTS, BenchStack, BlockWatcher, bench_stack  # noqa: E402
from relayer.outbox import worker  # noqa: E402
from relayer.payments.repository import store_stripe_event  # noqa: E402
from relayer.process import relayer_context  # noqa: E402


def confirm_before_the_clock(stack: BenchStack, n: int, users: int) -> list[uuid.UUID]:
    """N paid investments with their mint intents waiting and their payers allowlisted; nothing minted yet."""
    people = [uuid.uuid4() for _ in range(users)]
    payments = stack.card_payments(n, users=people)
    ctx = relayer_context(stack.settings, engine=stack.engine)
    try:
        with ctx.sessions.begin() as session:
            for p in payments:
                event = json.loads(p.body)
                store_stripe_event(session, event["id"], event["type"], False, event)
        while worker.process_stripe_events(ctx.sessions, ctx.custody, None, limit=500):
            pass
        ctx.manager.recover()
        deadline = time.monotonic() + 120
        while stack.sql("SELECT count(*) FROM compliance_intents WHERE status <> 'done'")[0][0]:
            if time.monotonic() > deadline:
                raise RuntimeError("the payers' allowlist entries were not mined in 120 s")
            worker.drain_compliance_intents(ctx.sessions, ctx.chain)
            ctx.manager.tick()
            worker.follow_compliance_transactions(ctx.sessions, ctx.custody)
            time.sleep(0.2)
    finally:
        ctx.close()
    waiting = stack.sql("SELECT count(*) FROM mint_intents WHERE status = 'pending'")[0][0]
    if waiting != n:
        raise RuntimeError(f"{waiting} intents waiting, expected {n}")
    return [p.investment_id for p in payments]


def run(batch_size: int, n: int, users: int, timeout: float) -> dict[str, Any]:
    with bench_stack(relayer=False, relayer_mint_batch_size=batch_size) as stack:
        ids = confirm_before_the_clock(stack, n, users)
        watcher = BlockWatcher(stack.node.url, interval=0.025)
        watcher.start()
        cpu0 = own_and_reaped_cpu_seconds()
        t0 = time.time()
        stack.start_relayer()
        deadline = time.monotonic() + timeout
        while stack.sql("SELECT count(*) FROM chain_mints")[0][0] < n:
            if time.monotonic() > deadline:
                raise RuntimeError(f"not every mint indexed in {timeout:.0f} s")
            time.sleep(0.05)
        t_completed = stack.wait_reached(ids, timeout)
        watcher.stop()
        cpu = own_and_reaped_cpu_seconds() - cpu0
        blocks = Counter(int(b) for (b,) in stack.sql("SELECT block_number FROM chain_mints"))
        t_included = watcher.seen[max(blocks)]
        first = min(blocks)
        span = t_included - watcher.seen.get(first - 1, t0)
        stack.wait_receipts()
        txs = stack.mint_transactions()
        gas, mints = sum(g for _, g, _ in txs), sum(k for _, _, k in txs)
        return {
            "batch_size": batch_size,
            "investments": n,
            "returning_payers": users,
            "block_time_s": 1,
            "poll_interval_s": stack.settings.relayer_poll_interval,
            "mints_per_s_start_to_last_included": round(n / (t_included - t0), 1),
            "mints_per_s_over_mint_blocks": round(n / span, 1),
            "completed_per_s_start_to_last_completed": round(n / (t_completed - t0), 1),
            "seconds_to_all_included": round(t_included - t0, 2),
            "mint_blocks": len(blocks),
            "most_mints_in_one_block": max(blocks.values()),
            "mint_transactions": len(txs),
            "batch_sizes": {str(k): v for k, v in sorted(Counter(k for _, _, k in txs).items())},
            "gas_per_mint": round(gas / mints) if mints else None,
            "cpu_ms_per_mint_bench_process": round(1000 * cpu / n, 2),
        }


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch-sizes", default="1,100", help="comma-separated RELAYER_MINT_BATCH_SIZE values")
    parser.add_argument("--investments", type=int, default=3000, help="confirmed payments for batched runs")
    parser.add_argument("--single-investments", type=int, default=100, help="confirmed payments at batch size 1")
    parser.add_argument("--users", type=int, default=50, help="returning payers the investments are spread over")
    parser.add_argument("--timeout", type=float, default=600.0, help="give up waiting after this many seconds")
    parser.add_argument("--output", type=Path, default=RESULTS / "relayer_outbox.json")
    args = parser.parse_args(argv)
    results = []
    for size in [int(s) for s in args.batch_sizes.split(",")]:
        n = args.single_investments if size == 1 else args.investments
        result = run(size, n, min(args.users, n), args.timeout)
        print(json.dumps(result, indent=2), flush=True)
        results.append(result)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    main()
