"""`ape run status --network ...`: every project's cap, raised amount and metadata CID, read from the chain."""

import click
from ape.cli import ConnectedProviderCommand

from terra.ops.ape_bridge import ape_chain_context
from terra.ops.projects import project_ids_from_chain, project_status


@click.command(cls=ConnectedProviderCommand)
def cli() -> None:
    ctx = ape_chain_context()
    deployment = ctx.deployment()
    click.echo(f"chain {ctx.chain_id}, ownership contract {deployment.address('TerraLuminaOwnership')}")
    for pid in project_ids_from_chain(ctx.w3, deployment):
        s = project_status(ctx.w3, deployment, pid)
        if s is not None:
            click.echo(
                f"project {pid}: raised ${s.total_supply / 100:,.2f} of ${s.supply_cap / 100:,.2f} "
                f"({s.funded_percent:.2f}%), metadata {s.metadata_cid}{', exited' if s.exited else ''}"
            )
