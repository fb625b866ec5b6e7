"""`ape run create_project ID CAP_CENTS CID --network ...`: register a project on the ownership contract."""

import click
from ape.cli import ConnectedProviderCommand

from core.chain.ownership import create_project
from terra.ops.ape_bridge import ape_chain_context, one_line_errors


@click.command(cls=ConnectedProviderCommand)
@click.argument("project_id", type=int)
@click.argument("supply_cap_cents", type=int)
@click.argument("metadata_cid")
def cli(project_id: int, supply_cap_cents: int, metadata_cid: str) -> None:
    with one_line_errors():
        ctx = ape_chain_context()
        receipt = create_project(ctx.w3, ctx.deployment(), ctx.admin(), project_id, supply_cap_cents, metadata_cid)
    click.echo(f"project {project_id} created in block {receipt['blockNumber']}")
