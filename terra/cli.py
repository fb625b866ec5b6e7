"""The `terra` command: one entry point, a sub-command group per service. Wiring only: each command imports its
service when it runs, so `terra --help` builds no decoder and connects nothing."""

from __future__ import annotations

import sys
import traceback
from types import TracebackType

import typer

from terra import ipfs_cli
from terra.commands import api, contracts, db, demo, dev, distributions, indexer, relayer, stripe

app = typer.Typer(
    help="Terra Lumina: contracts, local stack and services.",
    no_args_is_help=True,
    # Our own hook prints a scrubbed traceback; typer's would show locals (URLs, keys) and the raw message.
    pretty_exceptions_enable=False,
)
app.add_typer(contracts.app, name="contracts")
app.add_typer(db.app, name="db")
app.add_typer(demo.app, name="demo")
app.add_typer(distributions.app, name="distributions")
app.add_typer(ipfs_cli.app, name="ipfs")
app.add_typer(indexer.app, name="indexer")
app.add_typer(relayer.app, name="relayer")
app.add_typer(stripe.app, name="stripe")
app.command("dev")(dev.dev)
app.command("api")(api.api)


def scrubbed_excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """A bug's traceback, with every URL cut to scheme, host and port and every configured secret hidden."""
    from core.redact import redact

    sys.stderr.write(redact("".join(traceback.format_exception(kind, exc, tb))))


def main() -> None:
    sys.excepthook = scrubbed_excepthook
    app()


if __name__ == "__main__":
    main()
