"""Helpers of the sync, reorg, crash and verify tests: settings pointing the indexer at a test chain and database,
a private anvil with the contracts deployed, and chain-side actions (mining, reorgs, transfers)."""

from __future__ import annotations

import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from eth_account.signers.local import LocalAccount
from sqlalchemy import Engine, text
from web3 import Web3

from core.chain.abis import DISTRIBUTOR, OWNERSHIP, PAYMENT_ROUTER, STABLECOIN, load_abi
from core.chain.accounts import LOCAL_DEPLOYER, LOCAL_RELAYER, LOCAL_TREASURY, anvil_account
from core.chain.compiler import Build
from core.chain.connection import connect
from core.chain.deployments import Deployment
from core.settings import load_settings
from indexer.service import reindex, run_forever
from indexer.settings import IndexerSettings
from indexer.sync import Position
from ipfs.cid import compute_cid
from terra.local.anvil import Anvil
from terra.ops.deploy import DeployPlan, deploy
from tests.indexer.scenario import Contracts


def indexer_settings(database_url: str, rpc_url: str, deployments_dir: Path, **overrides: Any) -> IndexerSettings:
    values: dict[str, Any] = {
        "terra_data_dir": Path(tempfile.mkdtemp(prefix="terra-indexer-test-")),
        "database_url": database_url,
        "rpc_url": rpc_url,
        "deployments_dir": deployments_dir,
        "indexer_poll_interval": 0.05,
    }
    return load_settings(IndexerSettings, **(values | overrides))


def sync_until_head(settings: IndexerSettings, engine: Engine) -> Position:
    return run_forever(settings, threading.Event(), until_head=True, use_websocket=False, engine=engine)


def reindex_all(settings: IndexerSettings, engine: Engine) -> Position:
    return reindex(settings, 0, threading.Event(), engine=engine)


def rpc(url: str, method: str, params: list[Any]) -> Any:
    body = httpx.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}, timeout=60).json()
    if "error" in body:
        raise RuntimeError(f"{method}: {body['error']}")
    return body["result"]


def mine(url: str, blocks: int) -> None:
    rpc(url, "anvil_mine", [hex(blocks)])


def chain_logs(url: str, addresses: list[str]) -> list[tuple[str, int]]:
    logs = rpc(url, "eth_getLogs", [{"fromBlock": "0x0", "toBlock": "latest", "address": addresses}])
    return sorted((lg["blockHash"].lower(), int(lg["logIndex"], 16)) for lg in logs)


def mirrored_logs(engine: Engine, chain_id: int) -> list[tuple[str, int]]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT block_hash, log_index FROM chain_events WHERE chain_id = :c"), {"c": chain_id})
        return sorted((h, i) for h, i in rows)


@dataclass
class PrivateChain:
    """A private anvil with the contracts deployed (for tests that reorg or kill: no snapshot/revert games)."""

    anvil: Anvil
    w3: Web3
    deployment: Deployment
    deployments_dir: Path
    contracts: Contracts
    admin: LocalAccount
    minter: LocalAccount
    treasury: LocalAccount
    investors: list[LocalAccount]

    @property
    def url(self) -> str:
        return self.anvil.url

    def head(self) -> dict[str, Any]:
        return rpc(self.url, "eth_getBlockByNumber", ["latest", False])


def start_private_chain(build: Build, extra_args: tuple[str, ...] = ()) -> PrivateChain:
    node = Anvil(extra_args=extra_args).start()
    w3 = connect(node.url)
    admin, minter, treasury = (anvil_account(i) for i in (LOCAL_DEPLOYER, LOCAL_RELAYER, LOCAL_TREASURY))
    directory = Path(tempfile.mkdtemp(prefix="terra-indexer-deploy-"))
    plan = DeployPlan(admin, minter.address, treasury.address, "https://terra.example/api/v1/metadata/{id}")
    dep = deploy(w3, build, plan, directory, report=lambda _m: None)
    contracts = Contracts(
        *(
            w3.eth.contract(address=Web3.to_checksum_address(dep.address(n)), abi=load_abi(n))
            for n in (OWNERSHIP, PAYMENT_ROUTER, STABLECOIN, DISTRIBUTOR)
        )
    )
    investors = [anvil_account(i) for i in range(3, 10)]
    return PrivateChain(node, w3, dep, directory, contracts, admin, minter, treasury, investors)


# ----- chain activity -----------------------------------------------------------------------------

PROJECTS = (1, 2, 3)


class Activity:
    """Mints and transfers on a private chain, each call a new payment reference: sent now (automine), or as
    transaction objects for `anvil_reorg` (anvil signs them with its dev keys, which ours are)."""

    def __init__(self, chain: PrivateChain, tag: str) -> None:
        self.chain = chain
        self.tag = tag
        self.count = 0

    def setup(self) -> None:
        own = self.chain.contracts.ownership
        from core.chain.transactions import transact

        for pid in PROJECTS:
            transact(
                self.chain.w3,
                self.chain.admin,
                own.functions.createProject(pid, 10**12, compute_cid(f"mirror-{pid}".encode())),
            )
        holders = [i.address for i in self.chain.investors]
        transact(self.chain.w3, self.chain.admin, own.functions.setAllowedBatch(holders, True))
        for investor in self.chain.investors[:3]:  # the senders of `mixed` hold every project
            self.send(self.mint_batch([(p, investor.address, 1_000_000) for p in PROJECTS]))

    def _ref(self) -> bytes:
        self.count += 1
        return Web3.keccak(text=f"{self.tag}-{self.count}")

    def mint(self, project: int, investor: str, amount: int) -> dict[str, Any]:
        data = self.chain.contracts.ownership.encode_abi(
            "mintInvestment", args=[project, investor, amount, self._ref()]
        )
        return self._tx(self.chain.minter, data)

    def mint_batch(self, entries: list[tuple[int, str, int]]) -> dict[str, Any]:
        args = [
            [e[0] for e in entries],
            [e[1] for e in entries],
            [e[2] for e in entries],
            [self._ref() for _ in entries],
        ]
        return self._tx(self.chain.minter, self.chain.contracts.ownership.encode_abi("mintInvestmentBatch", args=args))

    def transfer(self, sender: LocalAccount, receiver: str, project: int, amount: int) -> dict[str, Any]:
        data = self.chain.contracts.ownership.encode_abi(
            "safeTransferFrom", args=[sender.address, receiver, project, amount, b""]
        )
        return self._tx(sender, data)

    def batch_transfer(self, sender: LocalAccount, receiver: str, ids: list[int], amounts: list[int]) -> dict[str, Any]:
        data = self.chain.contracts.ownership.encode_abi(
            "safeBatchTransferFrom", args=[sender.address, receiver, ids, amounts, b""]
        )
        return self._tx(sender, data)

    def allow(self, account: str) -> dict[str, Any]:
        return self._tx(self.chain.admin, self.chain.contracts.ownership.encode_abi("setAllowed", args=[account, True]))

    def freeze(self, account: str, project: int, amount: int) -> dict[str, Any]:
        """setFrozenTokens by the admin (who holds the compliance role on a local deploy)."""
        data = self.chain.contracts.ownership.encode_abi("setFrozenTokens", args=[account, project, amount])
        return self._tx(self.chain.admin, data)

    def force(self, sender: str, receiver: str, project: int, amount: int) -> dict[str, Any]:
        data = self.chain.contracts.ownership.encode_abi("forcedTransfer", args=[sender, receiver, project, amount])
        return self._tx(self.chain.admin, data)

    def _tx(self, sender: LocalAccount, data: str, to: str | None = None) -> dict[str, Any]:
        return {
            "from": sender.address,
            "to": to or self.chain.contracts.ownership.address,
            "data": data,
            "gas": hex(3_000_000),
        }

    def fund_payer(self, payer: LocalAccount, amount: int) -> None:
        """Test stablecoin for `payer`, approved to the router (two blocks, sent now)."""
        coin, router = self.chain.contracts.stablecoin, self.chain.contracts.router
        self.send(self._tx(self.chain.admin, coin.encode_abi("mint", args=[payer.address, amount]), coin.address))
        self.send(self._tx(payer, coin.encode_abi("approve", args=[router.address, amount]), coin.address))

    def pay(self, payer: LocalAccount, project: int, amount: int) -> tuple[dict[str, Any], str]:
        """A `PaymentRouter.pay` transaction and its payment reference (0x hex, as the mirror stores it)."""
        ref = self._ref()
        coin, router = self.chain.contracts.stablecoin, self.chain.contracts.router
        data = router.encode_abi("pay", args=[project, coin.address, amount, ref])
        return self._tx(payer, data, router.address), "0x" + bytes(ref).hex()

    def send(self, tx: dict[str, Any]) -> None:
        """Through anvil's unlocked dev accounts (automine): one block per transaction."""
        # The nonce from the chain as it is: after a reorg anvil's own pending count can be stale.
        nonce = rpc(self.chain.url, "eth_getTransactionCount", [tx["from"], "latest"])
        tx_hash = rpc(self.chain.url, "eth_sendTransaction", [tx | {"nonce": nonce}])
        receipt = None
        for _ in range(100):
            receipt = rpc(self.chain.url, "eth_getTransactionReceipt", [tx_hash])
            if receipt is not None:
                break
            time.sleep(0.05)
        if receipt is None or receipt["status"] != "0x1":
            raise RuntimeError(f"transaction failed: {receipt}")

    def mixed(self, n: int) -> list[dict[str, Any]]:
        """n transactions of every kind, valid in sequence from the current state (balances only grow first)."""
        inv = self.chain.investors
        kinds = [
            lambda k: self.mint(PROJECTS[k % 3], inv[k % len(inv)].address, 1_000 + k),
            lambda k: self.transfer(inv[k % 3], inv[(k + 1) % len(inv)].address, PROJECTS[k % 3], 10 + k),
            lambda k: self.batch_transfer(inv[k % 3], inv[3 + k % 4].address, list(PROJECTS), [1, 2, 3]),
            lambda k: self.mint_batch([(p, inv[(k + p) % len(inv)].address, 100 + p) for p in PROJECTS]),
        ]
        return [kinds[k % len(kinds)](k) for k in range(n)]


def reorg(chain: PrivateChain, depth: int, txs: list[dict[str, Any]]) -> None:
    """Replace the newest `depth` blocks; the new branch carries `txs`, one per block from the oldest replaced."""
    rpc(chain.url, "anvil_reorg", [depth, [[tx, i % depth] for i, tx in enumerate(txs)]])


def fill_blocks(chain: PrivateChain, activity: Activity, blocks: int, txs_per_block: int, entries: int) -> None:
    """`blocks` blocks of `txs_per_block` batch mints (`entries` investments each: 2 events per entry), mined with
    automine off so a block holds many transactions."""
    inv = chain.investors
    rpc(chain.url, "evm_setAutomine", [False])
    try:
        nonce = int(rpc(chain.url, "eth_getTransactionCount", [chain.minter.address, "latest"]), 16)
        for b in range(blocks):
            for t in range(txs_per_block):
                batch = [
                    (PROJECTS[(b + t + e) % 3], inv[(b * 7 + t * 3 + e) % len(inv)].address, 1 + e)
                    for e in range(entries)
                ]
                rpc(chain.url, "eth_sendTransaction", [activity.mint_batch(batch) | {"nonce": hex(nonce)}])
                nonce += 1
            rpc(chain.url, "evm_mine", [])
    finally:
        rpc(chain.url, "evm_setAutomine", [True])
