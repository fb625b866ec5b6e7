"""The benchmark chain: >= N events of our contracts on anvil, in one of two shapes (`bench/chain_shapes.py`),
generated once and cached as an anvil state dump under `bench/results/` (git-ignored), so repeated backfill runs start
in seconds. Run directly to (re)generate:

    .venv/bin/python bench/backfill_chain.py --shape hot --events 1000000
    .venv/bin/python bench/backfill_chain.py --shape platform --events 1000000

`hot`: 7 investors holding all 50 projects; per block one `mintInvestmentBatch` of 400, and every fourth block a
`safeBatchTransferFrom` of 50 ids and a `safeTransferFrom` between investors.
`platform`: ~80,000 investors (deterministic addresses from a seed), long-tailed over investors and projects,
allowlisted in chunks the block before their first mint; two mint transactions of 200 per block (a mint to a new
holder costs more gas) and the same transfers, sent by the holders (anvil impersonation) from balances they hold.

Generation dumps a checkpoint every few hundred blocks: an interrupted run resumes where the last one stopped.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from web3 import Web3

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.chain_shapes import ALLOWLIST_CHUNK, PROJECTS, SHAPES, Block, Shape, Transfer, shape  # noqa: E402
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
TX_GAS = 16_700_000  # under the per-transaction cap (2^24) of Osaka
FINALITY_PADDING = 70  # empty blocks on top: everything generated lies below anvil's `finalized` tag
CHECKPOINT_EVERY = 300  # blocks between resumable state dumps
SEED = 1
HOLDER_FUNDS = hex(10**21)  # wei for an impersonated investor's gas


def rpc(url: str, method: str, params: list[Any], http: httpx.Client | None = None) -> Any:
    client = http or httpx
    body = client.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}, timeout=600).json()
    if "error" in body:
        raise RuntimeError(f"{method}: {body['error']}")
    return body["result"]


def paths(shape_name: str, events: int) -> tuple[Path, Path]:
    """(state dump, deployment directory) of a shape's cached chain."""
    return RESULTS / f"anvil-state-{shape_name}-{events}.json", RESULTS / f"deployments-{shape_name}-{events}"


def investor_addresses(s: Shape) -> list[str]:
    """hot: anvil's development accounts 3..9; platform: addresses derived from the seed, never anvil's."""
    if s.name == "hot":
        return [anvil_account(3 + i).address for i in range(s.investors)]
    return [
        Web3.to_checksum_address(Web3.keccak(text=f"terra-bench-investor-{SEED}-{i}")[12:]) for i in range(s.investors)
    ]


def payment_ref(shape_name: str, n: int) -> bytes:
    return Web3.keccak(text=f"bench-{shape_name}-{n}")


class Generator:
    def __init__(self, url: str, deployment: Deployment, s: Shape) -> None:
        self.url = url
        self.shape = s
        self.http = httpx.Client(timeout=600)
        self.ownership = Web3().eth.contract(
            address=Web3.to_checksum_address(deployment.address(OWNERSHIP)), abi=load_abi(OWNERSHIP)
        )
        self.investors = investor_addresses(s)
        self.admin = anvil_account(LOCAL_DEPLOYER).address
        self.minter = anvil_account(LOCAL_RELAYER).address
        self.nonces: dict[str, int] = {}
        self.impersonated: set[str] = set()
        self.sent: list[str] = []
        self.max_tx_gas = 0

    def send(self, sender: str, fn: str, args: list[Any]) -> None:
        nonce = self.nonces.get(sender)
        if nonce is None:
            nonce = int(rpc(self.url, "eth_getTransactionCount", [sender, "latest"], self.http), 16)
        tx = {
            "from": sender,
            "to": self.ownership.address,
            "data": self.ownership.encode_abi(fn, args=args),
            "gas": hex(TX_GAS),
            "nonce": hex(nonce),
        }
        self.sent.append(rpc(self.url, "eth_sendTransaction", [tx], self.http))
        self.nonces[sender] = nonce + 1

    def holder(self, index: int) -> str:
        """The investor's address, able to send: anvil's own accounts are unlocked, the others impersonated."""
        address = self.investors[index]
        if self.shape.name != "hot" and address not in self.impersonated:
            rpc(self.url, "anvil_impersonateAccount", [address], self.http)
            rpc(self.url, "anvil_setBalance", [address, HOLDER_FUNDS], self.http)
            self.impersonated.add(address)
        return address

    def create_projects(self) -> None:
        for pid in range(1, PROJECTS + 1):
            cid = compute_cid(f"terra lumina bench project {pid}".encode())
            self.send(self.admin, "createProject", [pid, 10**30, cid])

    def block(self, b: Block) -> None:
        for i in range(0, len(b.allow), ALLOWLIST_CHUNK):
            chunk = [self.investors[k] for k in b.allow[i : i + ALLOWLIST_CHUNK]]
            self.send(self.admin, "setAllowedBatch", [chunk, True])
        for tx in b.mints:
            self.send(
                self.minter,
                "mintInvestmentBatch",
                [
                    [m.project for m in tx],
                    [self.investors[m.investor] for m in tx],
                    [m.amount for m in tx],
                    [payment_ref(self.shape.name, m.ref) for m in tx],
                ],
            )
        for t in b.transfers:
            self.transfer(t)
        self.mine()

    def transfer(self, t: Transfer) -> None:
        a, b = self.holder(t.sender), self.investors[t.recipient]
        if t.batch:
            self.send(a, "safeBatchTransferFrom", [a, b, list(t.projects), list(t.amounts), b""])
        else:
            self.send(a, "safeTransferFrom", [a, b, t.projects[0], t.amounts[0], b""])

    def mine(self, blocks: int = 1) -> None:
        rpc(self.url, "anvil_mine", [hex(blocks)], self.http)
        for tx_hash in self.sent:
            receipt = rpc(self.url, "eth_getTransactionReceipt", [tx_hash], self.http)
            if receipt is None or receipt["status"] != "0x1":
                raise RuntimeError(f"benchmark transaction {tx_hash} failed: {receipt and receipt['gasUsed']} gas")
            self.max_tx_gas = max(self.max_tx_gas, int(receipt["gasUsed"], 16))
        self.sent.clear()


def dump_state(url: str, http: httpx.Client, to: Path) -> None:
    """anvil's whole state (accounts, blocks, receipts) as the JSON `--load-state` reads; written atomically."""
    dump = rpc(url, "anvil_dumpState", [], http)
    tmp = to.with_suffix(".tmp")
    tmp.write_bytes(gzip.decompress(bytes.fromhex(dump[2:])))
    os.replace(tmp, to)


def generate(
    shape_name: str, events: int, report: Callable[[str], None] = print, checkpoint_every: int = CHECKPOINT_EVERY
) -> None:
    state_file, deploy_dir = paths(shape_name, events)
    checkpoint, progress_file = state_file.with_suffix(".partial"), state_file.with_suffix(".progress")
    RESULTS.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    s = shape(shape_name, events, SEED)
    planned = time.monotonic() - began
    report(
        f"{shape_name}: {s.events:,} events, {s.investors:,} investors, {len(s.blocks):,} blocks ({planned:.0f}s plan)"
    )
    done = json.loads(progress_file.read_text()) if progress_file.exists() and checkpoint.exists() else None
    # no historical states: anvil kept one per block and grew past 14 GB on the platform shape (only logs,
    # headers and the latest state are needed afterwards)
    extra: tuple[str, ...] = ("--gas-limit", GAS_LIMIT, "--prune-history", "8")
    if done:
        extra += ("--load-state", str(checkpoint))
        report(f"  resuming after block {done['blocks']:,} of the plan ({done['seconds']:.0f}s spent before)")
    node = Anvil(extra_args=extra).start(timeout=600)  # a large checkpoint takes a while to load
    try:
        if done:
            deployment = load_deployment(deploy_dir, 31337)
            head = int(rpc(node.url, "eth_blockNumber", []), 16)
            if head != done["head"]:
                raise RuntimeError(f"checkpoint head {head} is not the recorded {done['head']}: delete {checkpoint}")
        else:
            admin = anvil_account(LOCAL_DEPLOYER)
            plan = DeployPlan(
                admin,
                anvil_account(LOCAL_RELAYER).address,
                anvil_account(LOCAL_TREASURY).address,
                "https://terra.example/api/v1/metadata/{id}",
            )
            deployment = deploy(connect(node.url), compile_project(), plan, deploy_dir, report=lambda _m: None)
        rpc(node.url, "evm_setAutomine", [False])
        gen = Generator(node.url, deployment, s)
        start = done["blocks"] if done else 0
        spent = done["seconds"] if done else 0.0
        if not done:
            gen.create_projects()
        events_done = PROJECTS + sum(b.events for b in s.blocks[:start])
        for k in range(start, len(s.blocks)):
            gen.block(s.blocks[k])
            events_done += s.blocks[k].events
            if (k + 1) % 50 == 0:
                elapsed = spent + time.monotonic() - began
                eta = (len(s.blocks) - k - 1) * (time.monotonic() - began) / (k + 1 - start)
                report(f"  block {k + 1:,}/{len(s.blocks):,}  {events_done:,} events  {elapsed:.0f}s  eta {eta:.0f}s")
            if (k + 1) % checkpoint_every == 0 and k + 1 < len(s.blocks):
                dump_state(node.url, gen.http, checkpoint)
                head = int(rpc(node.url, "eth_blockNumber", [], gen.http), 16)
                seconds = spent + time.monotonic() - began
                progress_file.write_text(json.dumps({"blocks": k + 1, "head": head, "seconds": seconds}))
        gen.mine(FINALITY_PADDING)
        dump_state(node.url, gen.http, state_file)
    finally:
        node.stop()
    seconds = spent + time.monotonic() - began
    meta = {
        "shape": shape_name,
        "events": s.events,
        "investors": s.investors,
        "blocks": len(s.blocks),
        "seed": SEED,
        "generation_seconds": round(seconds),
        "max_transaction_gas_this_session": gen.max_tx_gas,
    }
    state_file.with_suffix(".meta").write_text(json.dumps(meta, indent=2) + "\n")
    checkpoint.unlink(missing_ok=True)
    progress_file.unlink(missing_ok=True)
    size = state_file.stat().st_size / 2**20
    report(
        f"generated {s.events:,} events in {len(s.blocks):,} blocks in {seconds:.0f}s -> {state_file} ({size:,.0f} MiB)"
    )


def ensure_chain(shape_name: str, events: int, regenerate: bool = False) -> tuple[Path, Deployment, dict[str, Any]]:
    """(state file, deployment, generation metadata); generates in a process-local anvil when missing."""
    state_file, deploy_dir = paths(shape_name, events)
    if regenerate or not state_file.with_suffix(".meta").exists():
        generate(shape_name, events)
    meta = json.loads(state_file.with_suffix(".meta").read_text())
    return state_file, load_deployment(deploy_dir, 31337), meta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shape", choices=SHAPES, default="hot")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--checkpoint-every", type=int, default=CHECKPOINT_EVERY, help="blocks between state dumps")
    args = parser.parse_args()
    generate(args.shape, args.events, checkpoint_every=args.checkpoint_every)


if __name__ == "__main__":
    main()
