"""Wiring of the relayer process: webhook server + worker passes + transaction manager, from settings.

One process per chain. The webhook server (uvicorn, its own thread) only verifies and stores; the worker passes
run on an APScheduler background scheduler, each job never overlapping itself; the transaction manager is the one
sender for the relayer's key, and `recover()`s against the chain before the first send.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import structlog
import uvicorn
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from web3 import Web3

from core.chain.abis import DISTRIBUTOR, OWNERSHIP, PAYMENT_ROUTER, STABLECOIN, load_abi
from core.chain.connection import connect
from core.chain.deployments import Deployment, load_deployment
from core.db.engine import make_engine, make_session_factory, resolve_database_url
from core.stripe.client import stripe_client
from relayer import metrics
from relayer.custody import Custody
from relayer.distributions import passes as payouts
from relayer.distributions.chain import PURPOSES as PAYOUT_PURPOSES
from relayer.distributions.chain import PayoutChain, payout_still_needed
from relayer.intake.webhook import webhook_app
from relayer.keys import minter_account
from relayer.outbox import exits, projects, worker
from relayer.outbox.allowlist import allow_verified_custodial
from relayer.payments.stripe_events import FetchIntent
from relayer.reconcile import Report, reconcile
from relayer.settings import RelayerSettings
from relayer.tx.manager import TransactionManager
from relayer.tx.settings import TxSettings

log = structlog.get_logger("relayer")

ERC20_DECIMALS_ABI = [
    {"name": "decimals", "type": "function", "stateMutability": "view", "inputs": [], "outputs": [{"type": "uint8"}]}
]


@dataclass
class RelayerContext:
    settings: RelayerSettings
    engine: Engine
    sessions: sessionmaker[Session]
    w3: Web3
    deployment: Deployment
    chain: worker.Chain
    custody: Custody
    manager: TransactionManager
    fetch_intent: FetchIntent | None
    refund: Callable[[str, str], str]
    payouts: PayoutChain | None = None  # None when the deployment has no Distributor

    def close(self) -> None:
        self.engine.dispose()


def relayer_context(settings: RelayerSettings, engine: Engine | None = None) -> RelayerContext:
    w3 = connect(settings.service_rpc_urls[0], settings.chain_id)
    chain_id = w3.eth.chain_id
    deployment = load_deployment(settings.deployments_path, chain_id)
    engine = engine or make_engine(resolve_database_url(settings))
    sessions = make_session_factory(engine)
    signer = minter_account(settings, chain_id)
    ownership = w3.eth.contract(
        address=Web3.to_checksum_address(deployment.address(OWNERSHIP)), abi=load_abi(OWNERSHIP)
    )
    router = w3.eth.contract(
        address=Web3.to_checksum_address(deployment.address(PAYMENT_ROUTER)), abi=load_abi(PAYMENT_ROUTER)
    )
    accepted = {t.lower() for t in settings.relayer_accepted_tokens}
    if STABLECOIN in deployment.contracts:
        accepted.add(deployment.address(STABLECOIN).lower())

    @lru_cache(maxsize=64)
    def token_decimals(token: str) -> int | None:
        try:
            contract = w3.eth.contract(address=Web3.to_checksum_address(token), abi=ERC20_DECIMALS_ABI)
            return int(contract.functions.decimals().call())
        except Exception:  # noqa: BLE001 - a token that cannot say its decimals cannot be converted: disallowed
            return None

    chain = worker.Chain(
        w3=w3,
        chain_id=chain_id,
        ownership=ownership,
        sender=signer.address.lower(),
        treasury=str(router.functions.treasury().call()).lower(),
        accepted_tokens=frozenset(accepted),
        token_decimals=token_decimals,
    )
    payout_chain = None
    if DISTRIBUTOR in deployment.contracts:
        distributor = w3.eth.contract(
            address=Web3.to_checksum_address(deployment.address(DISTRIBUTOR)), abi=load_abi(DISTRIBUTOR)
        )
        payout_chain = PayoutChain.of(w3, chain_id, chain.sender, ownership, distributor)
    manager = TransactionManager(
        sessions, w3, signer, TxSettings.from_relayer(settings), still_needed=_still_needed(chain, payout_chain)
    )
    client = stripe_client(settings)  # real Stripe with a key, the local FAKE without

    def refund(payment_intent_id: str, idempotency_key: str) -> str:
        created = client.v1.refunds.create(
            params={"payment_intent": payment_intent_id}, options={"idempotency_key": idempotency_key}
        )
        return str(created.id)

    fetch_intent: FetchIntent | None = None
    if not settings.uses_fake_stripe:  # with a real key the event is a hint: Stripe's API is the truth

        def fetch(payment_intent_id: str) -> Mapping[str, Any]:
            return client.v1.payment_intents.retrieve(payment_intent_id).to_dict()

        fetch_intent = fetch
    custody = Custody(settings.relayer_mnemonic, chain_id)
    return RelayerContext(
        settings, engine, sessions, w3, deployment, chain, custody, manager, fetch_intent, refund, payout_chain
    )


def _still_needed(chain: worker.Chain, payout_chain: PayoutChain | None) -> Callable[[Session, Any], bool]:
    """The manager's one check before a (re)send, by purpose: distribution calls by what the ownership contract and
    the Distributor already show; the rest as before (project creations, mints by their payment references)."""
    mint_needed = projects.project_still_needed(chain, worker.mint_still_needed(chain))
    payout_needed = payout_still_needed(payout_chain) if payout_chain is not None else None

    def still_needed(session: Session, tx: Any) -> bool:
        if payout_needed is not None and tx.purpose in PAYOUT_PURPOSES:
            return payout_needed(session, tx)
        return mint_needed(session, tx)

    return still_needed


def run_reconcile(ctx: RelayerContext) -> Report:
    with ctx.sessions() as session:
        report = reconcile(
            session,
            ctx.chain.chain_id,
            grace=timedelta(seconds=ctx.settings.relayer_reconcile_grace),
            stuck_after=timedelta(seconds=ctx.settings.relayer_tx_stuck_after),
            pools=_pool_reader(ctx.payouts),
        )
    metrics.RECONCILE_RUNS.inc()
    for kind, count in report.counts().items():
        metrics.RECONCILE.labels(kind=kind).set(count)
    return report


def _pool_reader(pc: PayoutChain | None) -> Callable[[int, int], tuple[int, int]] | None:
    if pc is None:
        return None

    def read(distribution_id: int, block: int) -> tuple[int, int]:
        pool = pc.distributor.functions.pool(distribution_id).call(block_identifier=block)
        return int(pool[2]), int(pool[3])  # (total, claimed)

    return read


class Relayer:
    """The running process: `start()` returns once the webhook server listens; `stop()` shuts everything down."""

    def __init__(self, ctx: RelayerContext) -> None:
        self.ctx = ctx
        self.scheduler = BackgroundScheduler(timezone="UTC")
        # A pass that outlasts its interval makes APScheduler skip (and warn about) the next: expected, not news.
        logging.getLogger("apscheduler").setLevel(logging.ERROR)
        self.server: uvicorn.Server | None = None
        self._server_thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        s = self.ctx.settings
        return f"http://{s.relayer_host}:{self.port}"

    @property
    def port(self) -> int:
        if self.server is not None and self.server.started and self.server.servers:
            return int(self.server.servers[0].sockets[0].getsockname()[1])
        return self.ctx.settings.relayer_port

    def follow_passes(self) -> list[tuple[str, Callable[[], object]]]:
        """What moves investments: events, final payments, the index, transaction outcomes, refunds owed; and the
        custodial addresses of KYC-verified users onto the allowlist."""
        ctx = self.ctx
        return [
            ("stripe_events", lambda: worker.process_stripe_events(ctx.sessions, ctx.custody, ctx.fetch_intent)),
            ("crypto_payments", lambda: worker.judge_crypto_payments(ctx.sessions, ctx.chain, ctx.custody)),
            ("index", lambda: worker.follow_index(ctx.sessions, ctx.chain.chain_id, ctx.custody)),
            ("mint_reverts", lambda: worker.follow_mint_transactions(ctx.sessions, ctx.custody)),
            ("compliance_results", lambda: worker.follow_compliance_transactions(ctx.sessions, ctx.custody)),
            ("project_results", lambda: projects.follow_project_transactions(ctx.sessions, ctx.chain.chain_id)),
            ("refunds", lambda: worker.request_refunds(ctx.sessions, ctx.refund)),
            ("exit_results", lambda: exits.follow_exit_transactions(ctx.sessions)),
            ("kyc_custodial", lambda: allow_verified_custodial(ctx.sessions, ctx.custody)),
            *self._payout_follow_passes(),
        ]

    def _payout_follow_passes(self) -> list[tuple[str, Callable[[], object]]]:
        ctx = self.ctx
        if ctx.payouts is None:
            return []
        chain_id = ctx.payouts.chain_id
        return [
            ("claim_results", lambda: payouts.follow_claims(ctx.sessions)),
            ("distributions_swept", lambda: payouts.close_swept(ctx.sessions, chain_id)),
        ]

    def _payout_send_passes(self) -> list[tuple[str, Callable[[], object]]]:
        ctx, pc = self.ctx, self.ctx.payouts
        if pc is None:
            return []
        size = ctx.settings.relayer_claim_batch_size
        return [
            ("distributions_on_chain", lambda: payouts.put_on_chain(ctx.sessions, pc)),
            ("distributions_funding", lambda: payouts.fund_distributions(ctx.sessions, pc)),
            ("custodial_claims", lambda: payouts.claim_custodial(ctx.sessions, pc, size)),
        ]

    def send_passes(self) -> list[tuple[str, Callable[[], object]]]:
        """What goes to the chain: intents into transactions, and the transaction manager's step."""
        ctx, s = self.ctx, self.ctx.settings
        return [
            ("compliance", lambda: worker.drain_compliance_intents(ctx.sessions, ctx.chain)),
            ("projects", lambda: projects.drain_project_intents(ctx.sessions, ctx.chain)),
            ("mints", lambda: worker.drain_mint_intents(ctx.sessions, ctx.chain, s.relayer_mint_batch_size)),
            ("exits", lambda: exits.drain_exit_requests(ctx.sessions, ctx.chain)),
            *self._payout_send_passes(),
            ("transactions", ctx.manager.tick),
        ]

    def run_follow_passes(self) -> None:
        self._run(self.follow_passes())

    def run_send_passes(self) -> None:
        self._run(self.send_passes())

    def run_passes_once(self) -> None:
        self._run(self.follow_passes() + self.send_passes())

    def _run(self, passes: list[tuple[str, Callable[[], object]]]) -> None:
        for name, job in passes:
            try:
                job()
            except Exception as exc:  # noqa: BLE001 - a failed pass changes nothing; the next one retries
                metrics.JOB_ERRORS.labels(job=name).inc()
                log.error("relayer_pass_failed", job=name, error=f"{type(exc).__name__}: {exc}"[:300])

    def wake_worker(self) -> None:
        """Run the passes now (a webhook was stored) instead of at the next interval."""
        for job_id in ("worker", "sender"):
            job = self.scheduler.get_job(job_id)
            if job is not None:
                job.modify(next_run_time=datetime.now(UTC))

    def start(self) -> None:
        s = self.ctx.settings
        self.ctx.manager.recover()  # before anything is sent: what did the chain do with what we stored?
        app = webhook_app(self.ctx.sessions, s.webhook_signing_secret, on_stored=self.wake_worker, health=self.health)
        config = uvicorn.Config(app, host=s.relayer_host, port=s.relayer_port, log_level="warning", access_log=False)
        self.server = uvicorn.Server(config)
        self._server_thread = threading.Thread(target=self.server.run, name="relayer-webhooks", daemon=True)
        self._server_thread.start()
        while not self.server.started:
            if not self._server_thread.is_alive():
                raise RuntimeError(
                    f"the relayer's webhook server could not listen on {s.relayer_host}:{s.relayer_port}"
                )
            threading.Event().wait(0.05)
        # Two APScheduler jobs, each never overlapping itself: one moves investments (events, payments, the index),
        # one sends (intents into transactions, the manager's step), so a long pass of the one never holds up the
        # other. Rows are claimed FOR UPDATE SKIP LOCKED; the manager runs in the sender only.
        for job_id, run in (("worker", self.run_follow_passes), ("sender", self.run_send_passes)):
            self.scheduler.add_job(
                run,
                "interval",
                seconds=s.relayer_poll_interval,
                id=job_id,
                max_instances=1,
                coalesce=True,
                next_run_time=datetime.now(UTC),
            )
        self.scheduler.add_job(
            lambda: run_reconcile(self.ctx),
            "interval",
            seconds=s.relayer_reconcile_interval,
            id="reconcile",
            max_instances=1,
            coalesce=True,
        )
        self.scheduler.start()
        log.info("relayer_started", url=self.url, sender=self.ctx.chain.sender, chain_id=self.ctx.chain.chain_id)

    def health(self) -> dict[str, Any]:
        return {"status": "ok" if self.scheduler.running else "starting", "chain_id": self.ctx.chain.chain_id}

    def alive(self) -> bool:
        return self.scheduler.running and self._server_thread is not None and self._server_thread.is_alive()

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        if self.server is not None:
            self.server.should_exit = True
        if self._server_thread is not None:
            self._server_thread.join(15)
        self.ctx.close()


def run_forever(settings: RelayerSettings, stop: threading.Event) -> None:
    relayer = Relayer(relayer_context(settings))
    relayer.start()
    try:
        while not stop.wait(0.5):
            if not relayer.alive():
                raise RuntimeError("a relayer thread stopped; see the log above")
    finally:
        relayer.stop()
