"""Wiring of the indexer process from settings: RPC client, database, deployment, sync loop. The entry points
`run_forever`, `reindex`, `status` and `verify` are what `terra indexer ...` and `terra dev` call."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import structlog
from sqlalchemy import Engine
from web3 import Web3

from core.chain.abis import DISTRIBUTOR, OWNERSHIP, PAYMENT_ROUTER, load_abi
from core.chain.connection import connect
from core.chain.deployments import Deployment, load_deployment
from core.db.engine import make_engine, resolve_database_url
from indexer.backfill import ProgressCallback
from indexer.batching import MirrorTarget
from indexer.decode.decoder import DECODERS
from indexer.deployments import deployment_change, follow_deployment, followed
from indexer.errors import DeploymentChanged, WrongDeployment
from indexer.heads import HeadNotices, websocket_url
from indexer.metrics import serve_metrics
from indexer.rpc.client import RpcClient
from indexer.settings import IndexerSettings
from indexer.store import reset_chain, undo_above
from indexer.store.deployments_sql import RecordedContract
from indexer.sync import ChainMirror, Position, SyncOptions
from indexer.verify import VerifyReport, verify_mirror

log = structlog.get_logger(__name__)


def mirror_target(deployment: Deployment) -> MirrorTarget:
    # A deployment recorded before the Distributor existed has none: its mirror follows the other two.
    followed = [n for n in (OWNERSHIP, PAYMENT_ROUTER, DISTRIBUTOR) if n in deployment.contracts]
    addresses = tuple(deployment.address(name).lower() for name in followed)
    return MirrorTarget(deployment.chain_id, addresses, deployment.deploy_block, tuple(sorted(DECODERS)))


def sync_options(settings: IndexerSettings) -> SyncOptions:
    return SyncOptions(
        poll_interval=settings.indexer_poll_interval,
        finality_depth=settings.indexer_finality_depth,
        max_block_range=settings.indexer_max_block_range,
    )


@dataclass
class IndexerContext:
    settings: IndexerSettings
    source: RpcClient
    engine: Engine
    deployment: Deployment

    def mirror(self, on_progress: ProgressCallback | None = None) -> ChainMirror:
        return ChainMirror(
            self.source, self.engine, mirror_target(self.deployment), sync_options(self.settings), on_progress
        )


@contextmanager
def indexer_context(settings: IndexerSettings, engine: Engine | None = None) -> Iterator[IndexerContext]:
    """RPC client and engine for one command or service run; both closed at the end (an engine given is kept)."""
    source = RpcClient(settings.service_rpc_urls, chain_id=settings.chain_id)  # every URL checked before use
    own_engine = engine is None
    engine = engine or make_engine(resolve_database_url(settings))
    try:
        chain_id = source.chain_id()
        if settings.chain_id is not None and settings.chain_id != chain_id:
            raise WrongDeployment(f"the RPC serves chain id {chain_id}, settings say {settings.chain_id}")
        yield IndexerContext(settings, source, engine, load_deployment(settings.deployments_path, chain_id))
    finally:
        source.close()
        if own_engine:
            engine.dispose()


def run_forever(
    settings: IndexerSettings,
    stop: threading.Event,
    *,
    until_head: bool = False,
    metrics_port: int | None = None,
    on_progress: ProgressCallback | None = None,
    use_websocket: bool = True,
    engine: Engine | None = None,
) -> Position:
    """Mirror the chain until `stop` is set (or once caught up, with `until_head`). Blocking: `terra dev` runs it
    in a thread. Raises IndexerHalt (with its `exit_code`) when going on would corrupt the mirror."""
    server = serve_metrics(metrics_port) if metrics_port is not None else None
    try:
        return _run(settings, stop, until_head, on_progress, use_websocket, engine)
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()


def _run(
    settings: IndexerSettings,
    stop: threading.Event,
    until_head: bool,
    on_progress: ProgressCallback | None,
    use_websocket: bool,
    engine: Engine | None,
) -> Position:
    with indexer_context(settings, engine) as ctx:
        mirror = ctx.mirror(on_progress)
        with mirror.sessions.begin() as session:  # before the first batch: a mirror follows one deployment
            follow_deployment(session, ctx.deployment, settings.deployments_path)
        notices = None
        if use_websocket and not until_head and (url := websocket_url(settings.service_rpc_urls[0])):
            notices = HeadNotices(url, stop).start()
        log.info("indexer_start", chain_id=ctx.deployment.chain_id, deploy_block=ctx.deployment.deploy_block)
        try:
            return mirror.run(stop, until_head=until_head, wake=notices.event if notices else None)
        finally:
            if notices:
                notices.close()


def reindex(
    settings: IndexerSettings,
    from_block: int,
    stop: threading.Event,
    on_progress: ProgressCallback | None = None,
    engine: Engine | None = None,
) -> Position:
    """Forget blocks from `from_block` up (one transaction), then mirror them again up to the head."""
    with indexer_context(settings, engine) as ctx:
        mirror = ctx.mirror(on_progress)
        chain_id = ctx.deployment.chain_id
        with mirror.sessions.begin() as session:
            stored = mirror.stored_checkpoint()
            if from_block <= ctx.deployment.deploy_block:
                reset_chain(session, chain_id)  # the mirror is empty now: it follows the deployment in the file
            follow_deployment(session, ctx.deployment, settings.deployments_path)
            if from_block > ctx.deployment.deploy_block and stored is not None and stored.block_number >= from_block:
                anchor = ctx.source.header(from_block - 1)
                undo_above(session, chain_id, anchor.number, anchor.hash, anchor)
        log.info("reindex", chain_id=chain_id, from_block=from_block)
        return mirror.run(stop, until_head=True)


@dataclass(frozen=True)
class MirrorStatus:
    position: Position
    followed: list[RecordedContract]  # what the mirror was built from (chain_deployments)
    deployment_change: str | None  # set when deployments/<chain_id>.json names another deployment


def status(settings: IndexerSettings, engine: Engine | None = None) -> MirrorStatus:
    """Head, indexed and finalized block (lag = head - indexed) and the deployment followed, writing nothing."""
    with indexer_context(settings, engine) as ctx:
        mirror = ctx.mirror()
        stored = mirror.stored_checkpoint()
        head = ctx.source.head().number
        position = (
            Position(head, -1, -1) if stored is None else Position(head, stored.block_number, stored.finalized_block)
        )
        with mirror.sessions() as session:
            recorded = followed(session, ctx.deployment.chain_id)
            change = deployment_change(session, ctx.deployment, settings.deployments_path)
        return MirrorStatus(position, recorded, change)


def verify(settings: IndexerSettings, engine: Engine | None = None) -> VerifyReport:
    """Invariants 1 and 2 against the chain; DeploymentChanged when the file names contracts the mirror never saw."""
    with indexer_context(settings, engine) as ctx:
        with ctx.mirror().sessions() as session:
            change = deployment_change(session, ctx.deployment, settings.deployments_path)
        if change is not None:
            raise DeploymentChanged(change)
        w3 = connect(settings.service_rpc_urls[0], ctx.deployment.chain_id)
        ownership = w3.eth.contract(
            address=Web3.to_checksum_address(ctx.deployment.address(OWNERSHIP)), abi=load_abi(OWNERSHIP)
        )
        with ctx.mirror().sessions() as session:
            return verify_mirror(session, ctx.deployment.chain_id, ownership)
