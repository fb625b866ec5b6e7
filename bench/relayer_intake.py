"""Webhook intake of the relayer: signed `POST /webhooks/stripe` requests per second, minting left out.

    .venv/bin/python bench/relayer_intake.py [--requests 5000] [--concurrency 32] [--clients 2]

The relayer's own webhook app (`relayer.intake.webhook.webhook_app`, under uvicorn as `Relayer.start` serves it)
runs in this process on a fresh database; the worker passes do not run, so what is measured is what a request
costs: verifying `Stripe-Signature` over the raw body, the `INSERT ... ON CONFLICT DO NOTHING RETURNING` of the
event, the 200. The load comes from `--clients` separate processes (so the client's Python does not share the
server's GIL), each with `--concurrency` requests in flight (httpx, asyncio, keep-alive), every request a
distinct `payment_intent.succeeded` signed beforehand. Then the same number of replays of stored events (the
duplicate path: verify, conflict, 200).

Printed and written to bench/results/relayer_intake.json: requests/s, client-side latency p50/p95, peak RSS of
the server process, CPU seconds of the server process and of the database's PostgreSQL backends.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import sys
import threading
import time
import uuid
from pathlib import Path
from queue import Empty
from typing import Any

import httpx
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.databases import drop_database, fresh_database, postmaster_pid  # noqa: E402
from bench.process_usage import UsageSampler, cpu_seconds  # noqa: E402
from bench.profiling import Profiled  # noqa: E402
from bench.relayer_stack import RESULTS, database_server, percentile, signed_headers  # noqa: E402
from core.db.engine import make_engine, make_session_factory  # noqa: E402
from core.stripe.events import event_body  # noqa: E402
from core.stripe.metadata import InvestmentMetadata  # noqa: E402
from core.stripe.settings import LOCAL_WEBHOOK_SECRET  # noqa: E402
from core.stripe.simulated import PaymentFacts, simulated_event  # noqa: E402
from relayer.intake.webhook import webhook_app  # noqa: E402


def bodies(n: int) -> list[bytes]:
    """Distinct events about made-up investments (intake does not look them up; the worker would)."""
    out = []
    for _ in range(n):
        investment = uuid.uuid4()
        facts = PaymentFacts(InvestmentMetadata(investment, "0x" + investment.hex * 2, 1), 2_500)
        out.append(event_body(simulated_event("payment_intent.succeeded", facts, now=int(time.time()))))
    return out


def client(url: str, payloads: list[bytes], concurrency: int, ready: Any, start: Any, out: Any) -> None:
    """One load process: `concurrency` requests in flight once `start` is set; sends (status counts, latencies,
    first, last)."""

    async def go() -> tuple[dict[int | str, int], list[float], float, float]:
        signed = [(p, signed_headers(p)) for p in payloads]  # signed before the clock starts
        statuses: dict[int | str, int] = {}
        lat: list[float] = []
        queue = list(reversed(signed))
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(timeout=60, limits=limits) as http:

            async def worker() -> None:
                while queue:
                    body, headers = queue.pop()
                    t = time.perf_counter()
                    code: int | str = "transport_error"
                    for _ in range(3):  # a reset connection is tried again, as Stripe retries a delivery
                        try:
                            code = (await http.post(url, content=body, headers=headers)).status_code
                            break
                        except httpx.TransportError:
                            continue
                    lat.append(time.perf_counter() - t)
                    statuses[code] = statuses.get(code, 0) + 1

            ready.put(True)
            await asyncio.to_thread(start.wait)
            first = time.time()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return statuses, lat, first, time.time()

    out.put(asyncio.run(go()))


def _collect(queue: Any, procs: list[Any], timeout: float = 600.0) -> list[Any]:
    """One message from each client process; fails at once if one of them died (its traceback is above)."""
    out: list[Any] = []
    deadline = time.monotonic() + timeout
    while len(out) < len(procs):
        try:
            out.append(queue.get(timeout=1))
        except Empty:
            if any(p.exitcode not in (None, 0) for p in procs) or time.monotonic() > deadline:
                for p in procs:
                    p.kill()
                raise RuntimeError("a load client failed or timed out") from None
    return out


def load(url: str, payloads: list[bytes], clients: int, concurrency: int) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    queue, ready, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    chunks = [payloads[i::clients] for i in range(clients)]
    procs = [ctx.Process(target=client, args=(url, c, concurrency, ready, go, queue)) for c in chunks]
    for p in procs:
        p.start()
    _collect(ready, procs)  # spawned interpreters import and sign first
    go.set()
    results = _collect(queue, procs)
    for p in procs:
        p.join(30)
    statuses: dict[int | str, int] = {}
    lat: list[float] = []
    for s, lt, _, _ in results:
        for code, count in s.items():
            statuses[code] = statuses.get(code, 0) + count
        lat += lt
    first, last = min(r[2] for r in results), max(r[3] for r in results)
    ms = [1000 * x for x in lat]
    return {
        "requests": len(payloads),
        "statuses": {str(k): v for k, v in sorted(statuses.items(), key=str)},
        "requests_per_s": round(len(payloads) / (last - first), 1),
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "max_ms": round(max(ms), 1),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight per client process")
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--profile", action="store_true", help="sample the server with py-spy (new events)")
    parser.add_argument("--output", type=Path, default=RESULTS / "relayer_intake.json")
    args = parser.parse_args(argv)
    server = database_server()
    db_url = fresh_database(server)
    engine = make_engine(db_url)
    app = webhook_app(make_session_factory(engine), LOCAL_WEBHOOK_SECRET)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", access_log=False)
    web = uvicorn.Server(config)
    thread = threading.Thread(target=web.run, daemon=True, name="webhooks")
    thread.start()
    try:
        while not web.started:
            time.sleep(0.05)
        port = web.servers[0].sockets[0].getsockname()[1]
        url = f"http://127.0.0.1:{port}/webhooks/stripe"
        payloads = bodies(args.requests)
        sampler = UsageSampler(postmaster_pid(server), db_url.rsplit("/", 1)[1])
        sampler.start()
        cpu0 = cpu_seconds(os.getpid())  # without the load clients (reaped children)
        with Profiled(RESULTS / "relayer-intake-profile.txt", args.profile) as profile:
            new = load(url, payloads, args.clients, args.concurrency)
        cpu1 = cpu_seconds(os.getpid())
        pg1, _ = sampler.postgres_cpu()
        replays = load(url, payloads, args.clients, args.concurrency)
        sampler.stop()
        pg2, _ = sampler.postgres_cpu()
        with engine.connect() as conn:
            stored = conn.exec_driver_sql("SELECT count(*) FROM stripe_events").scalar()
        result = {
            "clients": args.clients,
            "concurrency_per_client": args.concurrency,
            "new_events": new
            | {
                "cpu_s_server": round(cpu1 - cpu0, 1),
                "cpu_ms_per_request_server": round(1000 * (cpu1 - cpu0) / args.requests, 2),
                "cpu_s_postgres_backends": round(pg1, 1),
            },
            "replays": replays
            | {
                "cpu_s_server": round(cpu_seconds(os.getpid()) - cpu1, 1),
                "cpu_s_postgres_backends": round(pg2 - pg1, 1),
            },
            "events_stored": stored,
            "peak_rss_mb_server": round(sampler.peak_rss_kb / 1024),
            "load_average_after": round(os.getloadavg()[0], 2),
        }
        hot = profile.summary(["stripe_webhook", "verify_header", "_store", "store_stripe_event", "info"])
        if hot is not None:
            result["profile_new_events"] = hot
    finally:
        web.should_exit = True
        thread.join(15)
        engine.dispose()
        drop_database(server, db_url)
    print(json.dumps(result, indent=2), flush=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
