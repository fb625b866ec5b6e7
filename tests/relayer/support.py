"""A relayer test stack: a private anvil with the contracts, a database of the module's own, the indexer following
the chain in a thread and the relayer (webhook server, worker, transaction manager) in-process or as a subprocess.

Helpers post Stripe events signed as Stripe signs them and wait for what the relayer and the index show."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import psycopg
import stripe
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from core.chain.payment_ref import investment_payment_ref, ref_hex
from core.chain.transactions import transact
from core.db.engine import make_engine, make_session_factory
from core.db.migrate import upgrade
from core.investments import attach_payment_intent, create_investment, get_investment, status_history
from core.models.investments import Investment
from core.settings import load_settings
from core.stripe.client import stripe_client
from core.stripe.events import event_body
from core.stripe.metadata import InvestmentMetadata
from core.stripe.settings import LOCAL_WEBHOOK_SECRET
from core.stripe.signature import SIGNATURE_HEADER, sign_payload
from core.stripe.simulated import PaymentFacts, simulated_event
from indexer.service import run_forever as run_indexer
from ipfs.cid import compute_cid
from relayer.payments.repository import store_stripe_event
from relayer.process import Relayer, RelayerContext, relayer_context
from relayer.settings import RelayerSettings
from terra.local.anvil import free_port
from terra.local.fake_stripe import FakeStripe
from tests.indexer.mirror_support import PrivateChain, indexer_settings, mine, rpc

T = TypeVar("T")
CHAIN_ID = 31337
BIG_PROJECT, SMALL_PROJECT = 1, 2
SMALL_CAP = 5_000  # $50: a second $30 investment overruns it


def fresh_database(server_url: str) -> str:
    """A new, migrated database on the test server (dropped with the server's session cleanup by name prefix)."""
    server = make_url(server_url)
    name = f"terra_relayer_{uuid.uuid4().hex[:12]}"
    admin = server.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = server.set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    return url


def drop_database(url: str) -> None:
    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')


def setup_projects(chain: PrivateChain) -> None:
    own = chain.contracts.ownership
    transact(chain.w3, chain.admin, own.functions.createProject(BIG_PROJECT, 10**9, compute_cid(b"relayer-big")))
    transact(chain.w3, chain.admin, own.functions.createProject(SMALL_PROJECT, SMALL_CAP, compute_cid(b"relayer-sm")))
    holders = [i.address for i in chain.investors]
    transact(chain.w3, chain.admin, own.functions.setAllowedBatch(holders, True))


def relayer_settings(database_url: str, chain: PrivateChain, **overrides: Any) -> RelayerSettings:
    values: dict[str, Any] = {
        "terra_data_dir": Path(tempfile.mkdtemp(prefix="terra-relayer-test-")),
        "database_url": database_url,
        "rpc_url": chain.url,
        "rpc_urls": [],
        "deployments_dir": chain.deployments_dir,
        "relayer_port": 0,
        "relayer_poll_interval": 0.1,
        "relayer_tx_replace_after": 5.0,
        "relayer_tx_finality_depth": 64,
        "relayer_reconcile_grace": 0,
    }
    return load_settings(RelayerSettings, **(values | overrides))


def wait_for(what: str, probe: Callable[[], T | None], timeout: float = 60.0, interval: float = 0.1) -> T:
    """Poll `probe` until it returns something truthy; fail naming `what` after a generous deadline."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


@dataclass
class Stack:
    chain: PrivateChain
    database_url: str
    engine: Engine
    sessions: sessionmaker[Session]
    settings: RelayerSettings
    relayer: Relayer | None = None
    indexer_stop: threading.Event = field(default_factory=threading.Event)
    indexer_thread: threading.Thread | None = None
    process: subprocess.Popen[bytes] | None = None
    process_port: int | None = None
    fake: FakeStripe | None = None

    # ----- services ------------------------------------------------------------------------------

    def start_indexer(self) -> None:
        settings = indexer_settings(self.database_url, self.chain.url, self.chain.deployments_dir)
        self.indexer_stop = threading.Event()
        self.indexer_thread = threading.Thread(
            target=run_indexer,
            args=(settings, self.indexer_stop),
            kwargs={"use_websocket": False, "engine": self.engine},
            daemon=True,
        )
        self.indexer_thread.start()

    def stop_indexer(self) -> None:
        self.indexer_stop.set()
        if self.indexer_thread is not None:
            self.indexer_thread.join(30)

    def start_relayer(self) -> Relayer:
        self.relayer = Relayer(relayer_context(self.settings))
        self.relayer.start()
        if self.fake is not None:
            self.fake.sender.url = self.relayer.url + "/webhooks/stripe"
        return self.relayer

    def stop_relayer(self) -> None:
        if self.relayer is not None:
            self.relayer.stop()
            self.relayer = None

    @contextmanager
    def driven(self) -> Iterator[RelayerContext]:
        """The relayer stopped and its passes driven by hand, with a context of their own; restarted after."""
        self.stop_relayer()
        ctx = relayer_context(self.settings)
        try:
            yield ctx
        finally:
            ctx.close()
            self.start_relayer()

    def store(self, ctx: RelayerContext, *events: dict[str, Any]) -> None:
        """Store events as the webhook would (verified, once by id), without posting them."""
        for event in events:
            with ctx.sessions.begin() as session:
                store_stripe_event(session, event["id"], event["type"], False, event)

    def spawn_relayer(self, crash_at: str | None = None) -> subprocess.Popen[bytes]:
        """`terra relayer run` in a subprocess (for kill -9): same settings through the environment."""
        self.process_port = self.process_port or free_port()
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "RPC_URL": self.chain.url,
            "RPC_URLS": "",
            "DEPLOYMENTS_DIR": str(self.chain.deployments_dir),
            "TERRA_DATA_DIR": str(self.settings.terra_data_dir),
            "RELAYER_PORT": str(self.process_port),
            "RELAYER_POLL_INTERVAL": "0.1",
            "RELAYER_TX_REPLACE_AFTER": "5",
            "RELAYER_TX_FINALITY_DEPTH": "64",
            "STRIPE_API_BASE": self.settings.stripe_base_url,
        }
        if self.fake is not None:
            self.fake.sender.url = f"http://127.0.0.1:{self.process_port}/webhooks/stripe"
        env.pop("TERRA_RELAYER_CRASH_AT", None)
        if crash_at:
            env["TERRA_RELAYER_CRASH_AT"] = crash_at
        log = open(Path(self.settings.terra_data_dir) / "relayer-subprocess.log", "ab")  # noqa: SIM115 - kept open
        self.process = subprocess.Popen(
            [sys.executable, "-m", "terra.cli", "relayer", "run"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        return self.process

    @property
    def webhook_url(self) -> str:
        if self.relayer is not None:
            return self.relayer.url + "/webhooks/stripe"
        assert self.process_port is not None
        return f"http://127.0.0.1:{self.process_port}/webhooks/stripe"

    # ----- investments and payments --------------------------------------------------------------

    def card_investment(
        self, amount_cents: int = 2_500, project: int = BIG_PROJECT, user_id: uuid.UUID | None = None
    ) -> uuid.UUID:
        with self.sessions.begin() as session:
            inv = create_investment(
                session,
                chain_id=CHAIN_ID,
                project_id=project,
                amount_cents=amount_cents,
                method="card",
                user_id=user_id or uuid.uuid4(),
            )
            attach_payment_intent(session, inv, "pi_sim_" + inv.id.hex[:24])
            return inv.id

    def crypto_investment(self, wallet: str, amount_cents: int = 2_500, project: int = BIG_PROJECT) -> uuid.UUID:
        with self.sessions.begin() as session:
            inv = create_investment(
                session,
                chain_id=CHAIN_ID,
                project_id=project,
                amount_cents=amount_cents,
                method="crypto",
                wallet=wallet,
            )
            return inv.id

    def pay_by_card(self, investment_id: uuid.UUID, payment_method: str = "pm_card_visa") -> str:
        """Create and confirm the investment's PaymentIntent on the local FAKE Stripe with the real SDK, as the API
        and Stripe.js will: the fake then delivers the signed webhooks to the relayer. Returns the intent's status."""
        client = stripe_client(self.settings)
        inv = self.investment(investment_id)
        meta = InvestmentMetadata(inv.id, inv.payment_ref, int(inv.project_id)).as_metadata()
        intent = client.v1.payment_intents.create(
            params={"amount": inv.amount_cents, "currency": "usd", "metadata": meta}
        )
        with self.sessions.begin() as session:
            stored = get_investment(session, investment_id)
            assert stored is not None
            attach_payment_intent(session, stored, intent.id)
        try:
            confirmed = client.v1.payment_intents.confirm(intent.id, params={"payment_method": payment_method})
        except stripe.CardError:
            return "declined"
        return str(confirmed.status)

    def event(self, investment_id: uuid.UUID, event_type: str, **kwargs: Any) -> dict[str, Any]:
        inv = self.investment(investment_id)
        facts = PaymentFacts(
            InvestmentMetadata(inv.id, inv.payment_ref, int(inv.project_id)),
            inv.amount_cents,
            payment_intent_id=inv.stripe_payment_intent_id,
        )
        return dict(simulated_event(event_type, facts, now=int(time.time()), **kwargs))

    def post(
        self,
        event: dict[str, Any],
        *,
        secret: str = LOCAL_WEBHOOK_SECRET,
        at: int | None = None,
        body: bytes | None = None,
        header: str | None = None,
    ) -> httpx.Response:
        payload = body if body is not None else event_body(event)  # type: ignore[arg-type]  # a plain dict event
        headers = {"Content-Type": "application/json"}
        signed = header if header is not None else sign_payload(payload, secret, at or int(time.time()))
        if signed:
            headers[SIGNATURE_HEADER] = signed
        return httpx.post(self.webhook_url, content=payload, headers=headers, timeout=30)

    def investment(self, investment_id: uuid.UUID) -> Investment:
        with self.sessions() as session:
            inv = get_investment(session, investment_id)
            assert inv is not None
            return inv

    def status(self, investment_id: uuid.UUID) -> str:
        return self.investment(investment_id).status

    def history(self, investment_id: uuid.UUID) -> list[str]:
        with self.sessions() as session:
            return [c.to_status for c in status_history(session, investment_id)]

    def wait_status(self, investment_id: uuid.UUID, *statuses: str, timeout: float = 60.0) -> str:
        return wait_for(
            f"investment {investment_id} in {statuses}",
            lambda: (s := self.status(investment_id)) in statuses and s,
            timeout,
        )

    def mints_of(self, investment_id: uuid.UUID) -> int:
        """InvestmentMinted events on chain for the investment's reference (the chain, not the index)."""
        ref = ref_hex(investment_payment_ref(investment_id))
        logs = rpc(
            self.chain.url,
            "eth_getLogs",
            [
                {
                    "fromBlock": "0x0",
                    "toBlock": "latest",
                    "address": self.chain.contracts.ownership.address,
                    "topics": [None, None, None, ref],
                }
            ],
        )
        return len(logs)

    def sql(self, query: str, **params: Any) -> list[tuple[Any, ...]]:
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(query), params)]

    def wait_reverted_then_finalize(self) -> None:
        """A lone mint fails once its revert is final: wait for a reverted mint, then mine past finality."""
        query = "SELECT 1 FROM relayer_transactions WHERE purpose = 'mint' AND status = 'reverted'"
        wait_for("a reverted mint", lambda: self.sql(query))
        self.finalize()

    def finalize(self) -> None:
        """Mine past anvil's finality lag so that what is on chain now becomes final in the index."""
        mine(self.chain.url, 70)


@contextmanager
def relayer_stack(
    chain: PrivateChain, server_url: str, *, start: bool = True, indexer: bool = True, **overrides: Any
) -> Iterator[Stack]:
    url = fresh_database(server_url)
    engine = make_engine(url)
    # The local FAKE Stripe, as `terra dev` runs it: refunds go there, its webhooks come to this stack's relayer.
    fake = FakeStripe(webhook_url=None, webhook_secret=LOCAL_WEBHOOK_SECRET, retry_delays=(0.2, 0.5, 1.0)).start()
    settings = relayer_settings(url, chain, stripe_api_base=fake.url, **overrides)
    stack = Stack(chain, url, engine, make_session_factory(engine), settings, fake=fake)
    try:
        if indexer:
            stack.start_indexer()
        if start:
            stack.start_relayer()
        yield stack
    finally:
        stack.stop_relayer()
        if stack.process is not None and stack.process.poll() is None:
            stack.process.kill()
            stack.process.wait()
        stack.stop_indexer()
        fake.stop()
        engine.dispose()
        drop_database(url)
