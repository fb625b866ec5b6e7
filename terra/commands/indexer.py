"""`terra indexer run|reindex|status|verify`: the chain mirror from the command line.

Exit codes: 0 fine, 1 a usage or connection error, 2 an indexer halt, 3 a reorg deeper than finality,
4 the RPC serves another chain, 5 `verify` found mismatches, 6 the deployments file names a new deployment.
The indexer itself (decoders, web3, SQLAlchemy) is imported when a command runs, never by `terra --help`.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from terra.commands.options import RpcUrl
from terra.console import console, fail, report, user_errors

if TYPE_CHECKING:
    from indexer.backfill import BackfillProgress
    from indexer.settings import IndexerSettings

app = typer.Typer(help="The chain mirror: contract events into PostgreSQL.", no_args_is_help=True)

EXIT_MISMATCH = 5


class BackfillBar:
    """A rich progress bar fed by backfill progress: blocks done of the range, events/s and ETA."""

    def __init__(self) -> None:
        self.progress = Progress(
            TextColumn("[bold]backfill"),
            BarColumn(),
            TextColumn("block {task.fields[block]:,}/{task.fields[target]:,}"),
            TextColumn("{task.fields[events]:,} events"),
            TextColumn("{task.fields[rate]:,.0f} ev/s"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            disable=not console.is_terminal,
        )
        self.task: TaskID | None = None
        self.last: BackfillProgress | None = None

    def __call__(self, p: BackfillProgress) -> None:
        fields: dict[str, Any] = {
            "block": p.block,
            "target": p.target_block,
            "events": p.events,
            "rate": p.events_per_second,
        }
        if self.task is None:
            self.progress.start()
            self.task = self.progress.add_task("backfill", total=p.target_block - p.start_block + 1, **fields)
        self.progress.update(self.task, completed=p.block - p.start_block + 1, **fields)
        self.last = p

    def close(self) -> None:
        if self.task is not None:
            self.progress.stop()
        if self.last is not None:
            p = self.last
            report(
                f"backfilled to block {p.block:,}: {p.events:,} events in {p.elapsed:.1f}s "
                f"({p.events_per_second:,.0f} events/s)"
            )


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """SIGINT/SIGTERM finish the current batch and stop; a batch is one transaction, so nothing is half-written."""
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextmanager
def indexer_errors() -> Iterator[None]:
    from indexer.errors import IndexerHalt

    try:
        with user_errors():
            yield
    except IndexerHalt as exc:
        raise fail(str(exc), exc.exit_code) from None


def _setup(rpc_url: str | None) -> IndexerSettings:
    """Settings from the environment; `--rpc-url` replaces RPC_URL and RPC_URLS for this command."""
    from core.logging_setup import configure_logging
    from core.settings import load_settings
    from indexer.settings import IndexerSettings

    with user_errors():
        if rpc_url is None:
            settings = load_settings(IndexerSettings)
        else:
            names = {"rpc_url": "--rpc-url", "rpc_urls": "--rpc-url"}
            settings = load_settings(IndexerSettings, names=names, rpc_url=rpc_url, rpc_urls=[rpc_url])
    configure_logging(settings.log_level, settings.log_json)
    return settings


@app.command("run")
def run_cmd(
    until_head: Annotated[bool, typer.Option("--until-head", help="Exit once caught up with the head.")] = False,
    metrics_port: Annotated[int | None, typer.Option(help="Serve Prometheus /metrics on 127.0.0.1:PORT.")] = None,
    websocket: Annotated[bool, typer.Option(help="Wake on WebSocket newHeads where the RPC offers it.")] = True,
    rpc_url: RpcUrl = None,
) -> None:
    """Mirror the chain: backfill from the deploy block, then follow the head until stopped."""
    from indexer.service import run_forever

    settings = _setup(rpc_url)
    bar = BackfillBar()
    with indexer_errors(), stop_on_signals() as stop:
        try:
            position = run_forever(
                settings,
                stop,
                until_head=until_head,
                metrics_port=metrics_port,
                on_progress=bar,
                use_websocket=websocket,
            )
        finally:
            bar.close()
    report(f"indexed block {position.indexed:,} (head {position.head:,}, finalized {position.finalized:,})")


@app.command("reindex")
def reindex_cmd(
    from_block: Annotated[int, typer.Option("--from-block", help="First block to mirror again.")],
    rpc_url: RpcUrl = None,
) -> None:
    """Forget everything from FROM_BLOCK up, in one transaction, and mirror it again up to the head."""
    from indexer.service import reindex

    settings = _setup(rpc_url)
    bar = BackfillBar()
    with indexer_errors(), stop_on_signals() as stop:
        try:
            position = reindex(settings, from_block, stop, on_progress=bar)
        finally:
            bar.close()
    report(f"reindexed up to block {position.indexed:,}")


@app.command("status")
def status_cmd(rpc_url: RpcUrl = None) -> None:
    """Head, indexed and finalized block, the lag, and the deployment the mirror follows."""
    from web3 import Web3

    from indexer.service import status

    settings = _setup(rpc_url)
    with indexer_errors():
        s = status(settings)
    p = s.position
    report(f"head       {p.head:,}\nindexed    {p.indexed:,}\nfinalized  {p.finalized:,}\nlag        {p.lag:,} blocks")
    for c in s.followed:
        report(f"follows    {c.contract_name} {Web3.to_checksum_address(c.address)} (block {c.deploy_block:,})")
    if not s.followed:
        report("follows    nothing recorded yet (the indexer records its deployment when it first starts)")
    if s.deployment_change:
        console.print(f"[yellow]warning:[/] {s.deployment_change}", soft_wrap=True, markup=True)


@app.command("verify")
def verify_cmd(rpc_url: RpcUrl = None) -> None:
    """Compare every indexed balance, total supply and frozen amount with the chain at the indexed block."""
    from indexer.service import verify

    settings = _setup(rpc_url)
    with indexer_errors():
        result = verify(settings)
    if result.block_number < 0:
        raise fail("nothing indexed yet")
    for mismatch in result.mismatches:
        console.print(f"[red]mismatch[/] {mismatch}", soft_wrap=True)
    summary = (
        f"block {result.block_number:,}: {result.balances_checked:,} balances and "
        f"{result.projects_checked:,} projects checked, {result.frozen_checked:,} frozen amounts"
    )
    if not result.ok:
        raise fail(f"{len(result.mismatches)} mismatch(es) at {summary}", EXIT_MISMATCH)
    report(f"[green]ok[/] {summary}")


if __name__ == "__main__":
    app()
