"""The `terra` command: one entry point, a sub-command group per service."""

from __future__ import annotations

import typer

from terra import ipfs_cli
from terra.commands import contracts, db, demo, dev, indexer

app = typer.Typer(help="Terra Lumina: contracts, local stack and services.", no_args_is_help=True)
app.add_typer(contracts.app, name="contracts")
app.add_typer(db.app, name="db")
app.add_typer(demo.app, name="demo")
app.add_typer(ipfs_cli.app, name="ipfs")
app.add_typer(indexer.app, name="indexer")
app.command("dev")(dev.dev)

if __name__ == "__main__":
    app()
