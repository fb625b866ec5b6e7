"""`ape run mint PROJECT INVESTOR CENTS REF --network ...`: mint an investment as the minter (local use)."""

import click
from ape.cli import ConnectedProviderCommand

from terra.ops.ape_bridge import ape_chain_context
from terra.ops.projects import mint, payment_ref


@click.command(cls=ConnectedProviderCommand)
@click.argument("project_id", type=int)
@click.argument("investor")
@click.argument("cents", type=int)
@click.argument("reference")
def cli(project_id: int, investor: str, cents: int, reference: str) -> None:
    ctx = ape_chain_context()
    receipt = mint(ctx.w3, ctx.deployment(), ctx.minter(), project_id, investor, cents, payment_ref(reference))
    click.echo(f"minted {cents} units of project {project_id} to {investor} in block {receipt['blockNumber']}")
