"""Live latency benchmark: anvil mining a block every second, >= 100 mint transactions, and for each the time from
its receipt (as a client polling every 5 ms sees it) to its row in `chain_mints` (read every 5 ms).

    .venv/bin/python bench/indexer_latency.py [--transactions 120] [--per-block 4]

The indexer runs as `terra dev` would run it: `indexer.service.run_forever` in a thread, WebSocket newHeads on.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg
from web3 import Web3

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.databases import DEFAULT_SERVER, drop_database, fresh_database  # noqa: E402
from core.chain.abis import OWNERSHIP, load_abi  # noqa: E402
from core.chain.accounts import LOCAL_DEPLOYER, LOCAL_RELAYER, LOCAL_TREASURY, anvil_account  # noqa: E402
from core.chain.compiler import compile_project  # noqa: E402
from core.chain.connection import connect  # noqa: E402
from core.chain.transactions import transact  # noqa: E402
from core.settings import load_settings  # noqa: E402
from indexer.service import run_forever  # noqa: E402
from indexer.settings import IndexerSettings  # noqa: E402
from ipfs.cid import compute_cid  # noqa: E402
from terra.local.anvil import Anvil  # noqa: E402
from terra.ops.deploy import DeployPlan, deploy  # noqa: E402

RESULTS = REPO / "bench" / "results"
POLL = 0.005


def rpc(http: httpx.Client, url: str, method: str, params: list[object]) -> Any:
    body = http.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).json()
    if "error" in body:
        raise RuntimeError(f"{method}: {body['error']}")
    return body["result"]


def receipts(http: httpx.Client, url: str, hashes: list[str]) -> list[object]:
    batch = [
        {"jsonrpc": "2.0", "id": i, "method": "eth_getTransactionReceipt", "params": [h]} for i, h in enumerate(hashes)
    ]
    answers = {a["id"]: a.get("result") for a in http.post(url, json=batch).json()}
    return [answers.get(i) for i in range(len(hashes))]


def setup_chain(node: Anvil, deployments: Path) -> tuple[object, str]:
    w3 = connect(node.url)
    admin, minter = anvil_account(LOCAL_DEPLOYER), anvil_account(LOCAL_RELAYER)
    plan = DeployPlan(admin, minter.address, anvil_account(LOCAL_TREASURY).address, "https://x/{id}")
    deployment = deploy(w3, compile_project(), plan, deployments, report=lambda _m: None)
    own = w3.eth.contract(address=Web3.to_checksum_address(deployment.address(OWNERSHIP)), abi=load_abi(OWNERSHIP))
    transact(w3, admin, own.functions.createProject(1, 10**18, compute_cid(b"latency")))
    transact(w3, admin, own.functions.setAllowedBatch([anvil_account(3).address], True))
    return own, minter.address


def measure(node: Anvil, own: object, minter: str, db_url: str, total: int, per_block: int) -> list[float]:
    http = httpx.Client(timeout=30)
    nonce = int(rpc(http, node.url, "eth_getTransactionCount", [minter, "latest"]), 16)
    investor = anvil_account(3).address
    latencies: list[float] = []
    with psycopg.connect(db_url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as db:
        sent = 0
        while sent < total:
            refs, hashes = [], []
            for _ in range(min(per_block, total - sent)):
                ref = Web3.keccak(text=f"latency-{sent}")
                data = own.encode_abi("mintInvestment", args=[1, investor, 100, ref])  # type: ignore[attr-defined]
                tx = {"from": minter, "to": own.address, "data": data, "gas": hex(300_000), "nonce": hex(nonce)}  # type: ignore[attr-defined]
                hashes.append(rpc(http, node.url, "eth_sendTransaction", [tx]))
                refs.append("0x" + ref.hex().removeprefix("0x"))
                nonce += 1
                sent += 1
            latencies += follow_until_visible(http, node.url, db, hashes, refs)
    return latencies


def follow_until_visible(
    http: httpx.Client, url: str, db: psycopg.Connection, hashes: list[str], refs: list[str]
) -> list[float]:
    seen_receipt: dict[int, float] = {}
    visible: dict[int, float] = {}
    deadline = time.monotonic() + 60
    while len(visible) < len(refs) and time.monotonic() < deadline:
        now = time.monotonic()
        waiting = [i for i in range(len(hashes)) if i not in seen_receipt]
        if waiting:
            for i, r in zip(waiting, receipts(http, url, [hashes[i] for i in waiting]), strict=False):
                if r is not None:
                    seen_receipt[i] = now
        rows = db.execute("SELECT payment_ref FROM chain_mints WHERE payment_ref = ANY(%s)", ([r for r in refs],))
        found = {ref for (ref,) in rows.fetchall()}
        for i, ref in enumerate(refs):
            if ref in found and i not in visible:
                visible[i] = now
        time.sleep(POLL)
    if len(visible) < len(refs):
        raise RuntimeError("some transactions never became visible")
    # Row before receipt (the indexer beat the client's receipt poll) counts as 0.
    return [max(0.0, visible[i] - seen_receipt.get(i, visible[i])) for i in range(len(refs))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--transactions", type=int, default=120)
    parser.add_argument("--per-block", type=int, default=4)
    parser.add_argument("--poll-interval", type=float, default=1.0, help="indexer head poll (WebSocket wakes it)")
    parser.add_argument("--no-websocket", action="store_true")
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL") or DEFAULT_SERVER
    db_url = fresh_database(server)
    deployments = Path(tempfile.mkdtemp(prefix="terra-latency-"))
    stop = threading.Event()
    with Anvil() as node:
        own, minter = setup_chain(node, deployments)
        httpx.post(node.url, json={"jsonrpc": "2.0", "id": 1, "method": "evm_setIntervalMining", "params": [1]})
        settings = load_settings(
            IndexerSettings,
            terra_data_dir=deployments,
            database_url=db_url,
            rpc_url=node.url,
            deployments_dir=deployments,
            indexer_poll_interval=args.poll_interval,
        )
        worker = threading.Thread(
            target=run_forever, args=(settings, stop), kwargs={"use_websocket": not args.no_websocket}, daemon=True
        )
        worker.start()
        try:
            latencies = measure(node, own, minter, db_url, args.transactions, args.per_block)
        finally:
            stop.set()
            worker.join(30)
    drop_database(server, db_url)
    ms = sorted(1000 * x for x in latencies)
    q = statistics.quantiles(ms, n=100)
    result = {
        "transactions": len(ms),
        "block_time_s": 1,
        "websocket": not args.no_websocket,
        "poll_interval_s": args.poll_interval,
        "p50_ms": round(q[49], 1),
        "p95_ms": round(q[94], 1),
        "max_ms": round(ms[-1], 1),
        "mean_ms": round(statistics.fmean(ms), 1),
    }
    print(json.dumps(result, indent=2))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "indexer_latency.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
