"""The relayer benchmarks' stack: anvil (deployed on automine, then mining a block every second), a fresh database
on the machine's PostgreSQL, the indexer following the chain in a thread (as `terra dev` runs it, WebSocket on) and
the relayer in-process (webhook server + worker passes + transaction manager), each from its ordinary settings.

Investments are made with `core.investments.create_investment` (what the API calls), each by a new user (a card
payer's first investment: a new custodial address, allowlisted before its first mint), and paid by a
`payment_intent.succeeded` signed as Stripe signs it. Also: a watcher that notes when each block is first seen,
to time inclusion."""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker
from web3 import Web3

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.databases import DEFAULT_SERVER, drop_database, fresh_database  # noqa: E402
from core.chain.abis import OWNERSHIP, load_abi  # noqa: E402
from core.chain.accounts import LOCAL_DEPLOYER, LOCAL_RELAYER, LOCAL_TREASURY, anvil_account  # noqa: E402
from core.chain.compiler import compile_project  # noqa: E402
from core.chain.connection import connect  # noqa: E402
from core.chain.transactions import transact  # noqa: E402
from core.db.engine import make_engine, make_session_factory  # noqa: E402
from core.investments import attach_payment_intent, create_investment  # noqa: E402
from core.settings import load_settings  # noqa: E402
from core.stripe.events import event_body  # noqa: E402
from core.stripe.metadata import InvestmentMetadata  # noqa: E402
from core.stripe.settings import LOCAL_WEBHOOK_SECRET  # noqa: E402
from core.stripe.signature import SIGNATURE_HEADER, sign_payload  # noqa: E402
from core.stripe.simulated import PaymentFacts, simulated_event  # noqa: E402
from ipfs.cid import compute_cid  # noqa: E402
from relayer.process import Relayer, relayer_context  # noqa: E402
from relayer.settings import RelayerSettings  # noqa: E402
from terra.local.anvil import Anvil  # noqa: E402
from terra.ops.deploy import DeployPlan, deploy  # noqa: E402

RESULTS = REPO / "bench" / "results"
CHAIN_ID = 31337
PROJECT = 1
TICKET_CENTS = 2_500


def database_server() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_SERVER


def rpc(url: str, method: str, params: list[Any]) -> Any:
    body = httpx.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}, timeout=60).json()
    if "error" in body:
        raise RuntimeError(f"{method}: {body['error']}")
    return body["result"]


@dataclass(frozen=True)
class Payment:
    """A card investment and its signed `payment_intent.succeeded` (signed when posted: 300 s tolerance)."""

    investment_id: uuid.UUID
    payment_ref: str
    body: bytes


def signed_headers(body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign_payload(body, LOCAL_WEBHOOK_SECRET, int(time.time())),
    }


class BlockWatcher(threading.Thread):
    """Polls the head every `interval` s and notes the wall-clock time each block number is first seen."""

    def __init__(self, url: str, interval: float = 0.01) -> None:
        super().__init__(daemon=True, name="block-watcher")
        self.url, self.interval = url, interval
        self.seen: dict[int, float] = {}
        self.done = threading.Event()

    def run(self) -> None:
        http = httpx.Client(timeout=10)
        last = -1
        while not self.done.wait(self.interval):
            try:
                head = int(
                    http.post(self.url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber"}).json()["result"],
                    16,
                )
            except (httpx.HTTPError, KeyError, ValueError):
                continue
            now = time.time()
            for number in range(last + 1, head + 1):
                self.seen.setdefault(number, now)
            last = max(last, head)

    def stop(self) -> None:
        self.done.set()
        self.join(5)


@dataclass
class BenchStack:
    node: Anvil
    database_url: str
    engine: Engine
    sessions: sessionmaker[Session]
    settings: RelayerSettings
    ownership: Any
    relayer: Relayer | None = None
    indexer_stop: threading.Event = field(default_factory=threading.Event)
    indexer_thread: threading.Thread | None = None

    @property
    def webhook_url(self) -> str:
        assert self.relayer is not None
        return self.relayer.url + "/webhooks/stripe"

    def card_payments(
        self, n: int, amount_cents: int = TICKET_CENTS, users: list[uuid.UUID] | None = None
    ) -> list[Payment]:
        """`n` card investments as the API makes them (each by a new user unless `users` is given), with the
        bodies of their `payment_intent.succeeded` events (distinct event ids)."""
        out: list[Payment] = []
        with self.sessions.begin() as session:
            for i in range(n):
                inv = create_investment(
                    session,
                    chain_id=CHAIN_ID,
                    project_id=PROJECT,
                    amount_cents=amount_cents,
                    method="card",
                    user_id=users[i % len(users)] if users else uuid.uuid4(),
                )
                attach_payment_intent(session, inv, "pi_sim_" + inv.id.hex[:24])
                facts = PaymentFacts(
                    InvestmentMetadata(inv.id, inv.payment_ref, PROJECT),
                    amount_cents,
                    payment_intent_id=inv.stripe_payment_intent_id,
                )
                event = simulated_event("payment_intent.succeeded", facts, now=int(time.time()))
                out.append(Payment(inv.id, inv.payment_ref, event_body(event)))
        return out

    def user_of(self, investment_id: uuid.UUID) -> uuid.UUID:
        rows = self.sql("SELECT investor_user_id FROM investments WHERE id = :i", i=investment_id)
        return uuid.UUID(str(rows[0][0]))

    def sql(self, query: str, **params: Any) -> list[tuple[Any, ...]]:
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(query), params)]

    def reached(self, ids: list[uuid.UUID], statuses: tuple[str, ...] = ("completed", "final")) -> int:
        rows = self.sql(
            "SELECT count(*) FROM investments WHERE id = ANY(:ids) AND status = ANY(:s)", ids=ids, s=list(statuses)
        )
        return int(rows[0][0])

    def wait_reached(self, ids: list[uuid.UUID], timeout: float, interval: float = 0.1) -> float:
        """Wall-clock time when all of `ids` are indexed (completed); raises after `timeout`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.reached(ids) == len(ids):
                return time.time()
            time.sleep(interval)
        raise RuntimeError(f"{len(ids) - self.reached(ids)} of {len(ids)} investments not completed in {timeout:.0f} s")

    def completed_at(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, float]:
        """When each investment became `completed` (its status history, written by the relayer)."""
        rows = self.sql(
            "SELECT investment_id, min(at) FROM investment_status_history"
            " WHERE investment_id = ANY(:ids) AND to_status = 'completed' GROUP BY investment_id",
            ids=ids,
        )
        return {i: at.timestamp() for i, at in rows}

    def mint_blocks(self, refs: list[str]) -> dict[str, int]:
        """The block of each payment reference's InvestmentMinted, as the index has it."""
        rows = self.sql(
            "SELECT payment_ref, block_number FROM chain_mints WHERE chain_id = :c AND payment_ref = ANY(:r)",
            c=CHAIN_ID,
            r=refs,
        )
        return {ref: int(b) for ref, b in rows}

    def mint_transactions(self) -> list[tuple[int, int, int]]:
        """(block, gas used, mints) of each mined mint transaction of the relayer."""
        rows = self.sql(
            "SELECT t.block_number, t.gas_used, count(i.id) FROM relayer_transactions t"
            " JOIN mint_intents i ON i.tx_id = t.id WHERE t.purpose = 'mint' AND t.gas_used IS NOT NULL"
            " GROUP BY t.id, t.block_number, t.gas_used ORDER BY t.block_number"
        )
        return [(int(b), int(g), int(n)) for b, g, n in rows]

    def wait_receipts(self, timeout: float = 60) -> None:
        """Until the transaction manager has recorded the receipt of every mint (the index may show a mint first)."""
        deadline = time.monotonic() + timeout
        query = "SELECT count(*) FROM relayer_transactions WHERE purpose = 'mint' AND gas_used IS NULL"
        while self.sql(query)[0][0] and time.monotonic() < deadline:
            time.sleep(0.1)

    def start_relayer(self) -> Relayer:
        self.relayer = Relayer(relayer_context(self.settings, engine=self.engine))
        self.relayer.start()
        return self.relayer


def relayer_settings(database_url: str, node: Anvil, deployments: Path, **overrides: Any) -> RelayerSettings:
    values: dict[str, Any] = {
        "terra_data_dir": deployments,
        "database_url": database_url,
        "rpc_url": node.url,
        "rpc_urls": [],
        "deployments_dir": deployments,
        "relayer_port": 0,
        "relayer_tx_finality_depth": 64,
    }
    return load_settings(RelayerSettings, **(values | overrides))


@contextmanager
def bench_stack(
    *, block_time: int | None = 1, relayer: bool = True, indexer: bool = True, **overrides: Any
) -> Iterator[BenchStack]:
    """Everything fresh; torn down (anvil stopped, database dropped) on the way out."""
    server = database_server()
    deployments = Path(tempfile.mkdtemp(prefix="terra-relayer-bench-"))
    db_url = fresh_database(server)
    engine = make_engine(db_url)
    node = Anvil().start()
    stack: BenchStack | None = None
    try:
        w3 = connect(node.url)
        admin, minter = anvil_account(LOCAL_DEPLOYER), anvil_account(LOCAL_RELAYER)
        plan = DeployPlan(admin, minter.address, anvil_account(LOCAL_TREASURY).address, "https://x/{id}")
        deployment = deploy(w3, compile_project(), plan, deployments, report=lambda _m: None)
        own = w3.eth.contract(address=Web3.to_checksum_address(deployment.address(OWNERSHIP)), abi=load_abi(OWNERSHIP))
        transact(w3, admin, own.functions.createProject(PROJECT, 10**15, compute_cid(b"relayer-bench")))
        if block_time:
            rpc(node.url, "evm_setIntervalMining", [int(block_time)])
        settings = relayer_settings(db_url, node, deployments, **overrides)
        stack = BenchStack(node, db_url, engine, make_session_factory(engine), settings, own)
        if indexer:
            from indexer.service import run_forever as run_indexer  # the intake bench runs without it
            from indexer.settings import IndexerSettings

            indexer_settings = load_settings(
                IndexerSettings,
                terra_data_dir=deployments,
                database_url=db_url,
                rpc_url=node.url,
                deployments_dir=deployments,
            )
            stack.indexer_thread = threading.Thread(
                target=run_indexer,
                args=(indexer_settings, stack.indexer_stop),
                kwargs={"engine": engine},
                daemon=True,
                name="indexer",
            )
            stack.indexer_thread.start()
        if relayer:
            stack.start_relayer()
        yield stack
    finally:
        if stack is not None:
            if stack.relayer is not None:
                stack.relayer.stop()
            stack.indexer_stop.set()
            if stack.indexer_thread is not None:
                stack.indexer_thread.join(30)
        node.stop()
        engine.dispose()
        drop_database(server, db_url)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]
