"""`ape run status --network ...`: every project's cap, raised amount and metadata CID, read from the chain."""

import click
from ape.cli import ConnectedProviderCommand

from core.chain.ownership import project_ids, read_project
from terra.ops.ape_bridge import ape_chain_context, one_line_errors
from terra.ops.projects import status_line


@click.command(cls=ConnectedProviderCommand)
def cli() -> None:
    with one_line_errors():
        ctx = ape_chain_context()
        deployment = ctx.deployment()
        click.echo(f"chain {ctx.chain_id}, ownership contract {deployment.address('TerraLuminaOwnership')}")
        for pid in project_ids(ctx.w3, deployment):
            project = read_project(ctx.w3, deployment, pid)
            if project is not None:
                click.echo(status_line(project))
