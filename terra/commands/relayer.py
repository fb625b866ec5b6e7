"""`terra relayer run|reconcile`: payments to mints. `reconcile` exits 7 when it finds anything to look at."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from terra.commands.indexer import stop_on_signals
from terra.commands.options import RpcUrl, service_settings
from terra.console import console, fail, user_errors

if TYPE_CHECKING:
    from relayer.settings import RelayerSettings

app = typer.Typer(help="The relayer: confirmed payments become exactly one mint each.", no_args_is_help=True)

EXIT_FINDINGS = 7


def _setup(rpc_url: str | None) -> RelayerSettings:
    from relayer.settings import RelayerSettings

    return service_settings(RelayerSettings, rpc_url)


@app.command("run")
def run_cmd(rpc_url: RpcUrl = None) -> None:
    """Serve Stripe webhooks, turn confirmed payments into mints, send and follow the transactions. Until Ctrl-C."""
    settings = _setup(rpc_url)
    from relayer.process import run_forever

    with user_errors(RuntimeError), stop_on_signals() as stop:
        console.print(f"relayer webhooks on http://{settings.relayer_host}:{settings.relayer_port}/webhooks/stripe")
        run_forever(settings, stop)


@app.command("reconcile")
def reconcile_cmd(rpc_url: RpcUrl = None) -> None:
    """List succeeded payments without exactly one mint, mints without a payment, flags, stuck transactions, and
    distributions whose totals or claims do not add up."""
    settings = _setup(rpc_url)
    from relayer.process import relayer_context, run_reconcile

    with user_errors():
        ctx = relayer_context(settings)
        try:
            report = run_reconcile(ctx)
        finally:
            ctx.close()
    for kind, count in report.counts().items():
        console.print(f"{kind:<22}{count}")
    for finding in report.findings:
        console.print(f"  {finding.kind}: {finding.ref} {finding.detail}")
    if not report.clean:
        raise fail(f"reconcile found {len(report.findings)} thing(s) to look at", EXIT_FINDINGS)
    console.print("[green]reconciled[/]: every succeeded payment has exactly one mint, every mint a payment")
