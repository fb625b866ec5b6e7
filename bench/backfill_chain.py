"""The benchmark chain: >= N events of our contracts on anvil, generated once and cached as an anvil state dump
(`bench/results/`), so repeated backfill runs start in seconds. Run directly to (re)generate:

    .venv/bin/python bench/backfill_chain.py --events 1000000

Mix per round: one `mintInvestmentBatch` of 400 investments (800 events: TransferSingle + InvestmentMinted),
and every fourth round a `safeBatchTransferFrom` of 50 ids and a `safeTransferFrom` between investors.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from web3 import Web3

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from core.chain.abis import OWNERSHIP, load_abi  # noqa: E402
from core.chain.accounts import LOCAL_DEPLOYER, LOCAL_RELAYER, LOCAL_TREASURY, anvil_account  # noqa: E402
from core.chain.compiler import compile_project  # noqa: E402
from core.chain.connection import connect  # noqa: E402
from core.chain.deployments import Deployment, load_deployment  # noqa: E402
from ipfs.cid import compute_cid  # noqa: E402
from terra.local.anvil import Anvil  # noqa: E402
from terra.ops.deploy import DeployPlan, deploy  # noqa: E402

RESULTS = REPO / "bench" / "results"
GAS_LIMIT = "3000000000"  # block gas limit: rounds of several 16M-gas transactions per block
ENTRIES_PER_MINT = 400  # ~15M gas once balances are warm: under the per-transaction cap (2^24) of Osaka
PROJECTS = 50
FINALITY_PADDING = 70  # empty blocks on top: everything generated lies below anvil's `finalized` tag


def rpc(url: str, method: str, params: list[Any], http: httpx.Client | None = None) -> Any:
    client = http or httpx
    body = client.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}, timeout=600).json()
    if "error" in body:
        raise RuntimeError(f"{method}: {body['error']}")
    return body["result"]


def paths(events: int) -> tuple[Path, Path]:
    return RESULTS / f"anvil-state-{events}.json", RESULTS / f"deployments-{events}"


class Generator:
    def __init__(self, url: str, deployment: Deployment) -> None:
        self.url = url
        self.http = httpx.Client(timeout=600)
        self.ownership = Web3().eth.contract(
            address=Web3.to_checksum_address(deployment.address(OWNERSHIP)), abi=load_abi(OWNERSHIP)
        )
        self.investors = [anvil_account(i).address for i in range(3, 10)]
        self.nonces: dict[str, int] = {}
        self.refs = 0
        self.events = 0
        self.sent: list[str] = []

    def send(self, sender: str, fn: str, args: list[Any]) -> None:
        nonce = self.nonces.get(sender)
        if nonce is None:
            nonce = int(rpc(self.url, "eth_getTransactionCount", [sender, "latest"], self.http), 16)
        tx = {
            "from": sender,
            "to": self.ownership.address,
            "data": self.ownership.encode_abi(fn, args=args),
            "gas": hex(16_700_000),
            "nonce": hex(nonce),
        }
        self.sent.append(rpc(self.url, "eth_sendTransaction", [tx], self.http))
        self.nonces[sender] = nonce + 1

    def setup(self, admin: str) -> None:
        for pid in range(1, PROJECTS + 1):
            self.send(admin, "createProject", [pid, 10**30, compute_cid(f"bench-{pid}".encode())])
        self.send(admin, "setAllowedBatch", [self.investors, True])
        self.mine()
        self.events += PROJECTS + len(self.investors)

    def warm_up(self, minter: str) -> None:
        """One unit of every project to every investor: later rounds only touch non-zero (cheaper) slots."""
        pairs = [(p, h) for p in range(1, PROJECTS + 1) for h in self.investors]
        for i in range(0, len(pairs), 100):
            chunk = pairs[i : i + 100]
            refs = [Web3.keccak(text=f"bench-warm-{i + k}") for k in range(len(chunk))]
            self.send(
                minter, "mintInvestmentBatch", [[p for p, _ in chunk], [h for _, h in chunk], [1] * len(chunk), refs]
            )
            self.events += 2 * len(chunk)
        self.mine()

    def mint_round(self, minter: str, round_no: int) -> None:
        n = ENTRIES_PER_MINT
        ids = [1 + (round_no * n + k) % PROJECTS for k in range(n)]
        holders = [self.investors[(round_no + k) % len(self.investors)] for k in range(n)]
        refs = [Web3.keccak(text=f"bench-{self.refs + k}") for k in range(n)]
        self.refs += n
        self.send(minter, "mintInvestmentBatch", [ids, holders, [1_000 + k for k in range(n)], refs])
        self.events += 2 * n

    def transfer_round(self, round_no: int) -> None:
        a = self.investors[round_no % len(self.investors)]
        b = self.investors[(round_no + 1) % len(self.investors)]
        self.send(a, "safeBatchTransferFrom", [a, b, list(range(1, PROJECTS + 1)), [1] * PROJECTS, b""])
        self.send(b, "safeTransferFrom", [b, a, 1 + round_no % PROJECTS, 1, b""])
        self.events += 2

    def mine(self, blocks: int = 1) -> None:
        rpc(self.url, "anvil_mine", [hex(blocks)], self.http)
        for tx_hash in self.sent:
            receipt = rpc(self.url, "eth_getTransactionReceipt", [tx_hash], self.http)
            if receipt is None or receipt["status"] != "0x1":
                raise RuntimeError(f"benchmark transaction {tx_hash} failed: {receipt and receipt['gasUsed']} gas")
        self.sent.clear()


def generate(events: int) -> None:
    state_file, deploy_dir = paths(events)
    RESULTS.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    with Anvil(extra_args=("--gas-limit", GAS_LIMIT)) as node:
        admin = anvil_account(LOCAL_DEPLOYER)
        plan = DeployPlan(
            admin,
            anvil_account(LOCAL_RELAYER).address,
            anvil_account(LOCAL_TREASURY).address,
            "https://terra.example/api/v1/metadata/{id}",
        )
        deployment = deploy(connect(node.url), compile_project(), plan, deploy_dir, report=lambda _m: None)
        rpc(node.url, "evm_setAutomine", [False])
        gen = Generator(node.url, deployment)
        gen.setup(admin.address)
        minter = anvil_account(LOCAL_RELAYER).address
        gen.warm_up(minter)
        round_no = 0
        while gen.events < events:
            gen.mint_round(minter, round_no)
            if round_no % 4 == 3:
                gen.transfer_round(round_no)
            gen.mine()
            round_no += 1
            if round_no % 100 == 0:
                print(f"  {gen.events:,} events in {time.monotonic() - began:.0f}s", flush=True)
        gen.mine(FINALITY_PADDING)
        dump = rpc(node.url, "anvil_dumpState", [], gen.http)
        state_file.write_bytes(gzip.decompress(bytes.fromhex(dump[2:])))
    (state_file.with_suffix(".meta")).write_text(json.dumps({"events": gen.events, "rounds": round_no}))
    print(f"generated {gen.events:,} events in {round_no} blocks in {time.monotonic() - began:.0f}s -> {state_file}")


def ensure_chain(events: int, regenerate: bool = False) -> tuple[Path, Deployment, int]:
    """(state file, deployment, events generated); generates in a fresh process-local anvil when missing."""
    state_file, deploy_dir = paths(events)
    if regenerate or not state_file.exists():
        generate(events)
    meta = json.loads(state_file.with_suffix(".meta").read_text())
    return state_file, load_deployment(deploy_dir, 31337), int(meta["events"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    generate(args.events)


if __name__ == "__main__":
    main()
