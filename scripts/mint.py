"""`ape run mint PROJECT INVESTOR CENTS REF --network ...`: mint an investment as the minter (local use)."""

import click
from ape.cli import ConnectedProviderCommand

from core.chain.ownership import Mint, mint
from core.chain.payment_ref import payment_ref
from terra.ops.ape_bridge import ape_chain_context, one_line_errors


@click.command(cls=ConnectedProviderCommand)
@click.argument("project_id", type=int)
@click.argument("investor")
@click.argument("cents", type=int)
@click.argument("reference")
def cli(project_id: int, investor: str, cents: int, reference: str) -> None:
    with one_line_errors():
        ctx = ape_chain_context()
        receipt = mint(
            ctx.w3, ctx.deployment(), ctx.minter(), Mint(project_id, investor, cents, payment_ref(reference))
        )
    click.echo(f"minted {cents} units of project {project_id} to {investor} in block {receipt['blockNumber']}")
