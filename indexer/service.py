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

from core.chain.abis import OWNERSHIP, PAYMENT_ROUTER, load_abi
from core.chain.connection import connect
from core.chain.deployments import Deployment, load_deployment
from core.db.engine import make_engine, resolve_database_url
from core.settings import Settings
from indexer.backfill import ProgressCallback
from indexer.batching import MirrorTarget
from indexer.decode.decoder import DECODERS
from indexer.errors import WrongDeployment
from indexer.heads import HeadNotices, websocket_url
from indexer.metrics import serve_metrics
from indexer.rpc.client import RpcClient
from indexer.store import reset_chain, undo_above
from indexer.sync import ChainMirror, Position, SyncOptions
from indexer.verify import VerifyReport, verify_mirror

log = structlog.get_logger(__name__)


def mirror_target(deployment: Deployment) -> MirrorTarget:
    addresses = tuple(deployment.address(name).lower() for name in (OWNERSHIP, PAYMENT_ROUTER))
    return MirrorTarget(deployment.chain_id, addresses, deployment.deploy_block, tuple(sorted(DECODERS)))


def sync_options(settings: Settings) -> SyncOptions:
    return SyncOptions(
        poll_interval=settings.indexer_poll_interval,
        finality_depth=settings.indexer_finality_depth,
        max_block_range=settings.indexer_max_block_range,
    )


@dataclass
class IndexerContext:
    settings: Settings
    source: RpcClient
    engine: Engine
    deployment: Deployment

    def mirror(self, on_progress: ProgressCallback | None = None) -> ChainMirror:
        return ChainMirror(
            self.source, self.engine, mirror_target(self.deployment), sync_options(self.settings), on_progress
        )


@contextmanager
def indexer_context(settings: Settings, engine: Engine | None = None) -> Iterator[IndexerContext]:
    """RPC client and engine for one command or service run; both closed at the end (an engine given is kept)."""
    source = RpcClient(settings.service_rpc_urls)
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
    settings: Settings,
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
    settings: Settings,
    stop: threading.Event,
    until_head: bool,
    on_progress: ProgressCallback | None,
    use_websocket: bool,
    engine: Engine | None,
) -> Position:
    with indexer_context(settings, engine) as ctx:
        notices = None
        if use_websocket and not until_head and (url := websocket_url(settings.service_rpc_urls[0])):
            notices = HeadNotices(url, stop).start()
        log.info("indexer_start", chain_id=ctx.deployment.chain_id, deploy_block=ctx.deployment.deploy_block)
        try:
            mirror = ctx.mirror(on_progress)
            return mirror.run(stop, until_head=until_head, wake=notices.event if notices else None)
        finally:
            if notices:
                notices.close()


def reindex(
    settings: Settings,
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
                reset_chain(session, chain_id)
            elif stored is not None and stored.block_number >= from_block:
                anchor = ctx.source.header(from_block - 1)
                undo_above(session, chain_id, anchor.number, anchor.hash, anchor)
        log.info("reindex", chain_id=chain_id, from_block=from_block)
        return mirror.run(stop, until_head=True)


def status(settings: Settings, engine: Engine | None = None) -> Position:
    """Head, indexed and finalized block (lag = head - indexed), without writing anything."""
    with indexer_context(settings, engine) as ctx:
        stored = ctx.mirror().stored_checkpoint()
        head = ctx.source.head().number
        if stored is None:
            return Position(head, -1, -1)
        return Position(head, stored.block_number, stored.finalized_block)


def verify(settings: Settings, engine: Engine | None = None) -> VerifyReport:
    with indexer_context(settings, engine) as ctx:
        w3 = connect(settings.service_rpc_urls[0], ctx.deployment.chain_id)
        ownership = w3.eth.contract(
            address=Web3.to_checksum_address(ctx.deployment.address(OWNERSHIP)), abi=load_abi(OWNERSHIP)
        )
        with ctx.mirror().sessions() as session:
            return verify_mirror(session, ctx.deployment.chain_id, ownership)
