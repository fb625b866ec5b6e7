"""`ape run deploy --network ethereum:local:foundry`: deploy, grant roles, record deployments/<chain_id>.json."""

import click
from ape.cli import ConnectedProviderCommand

from core.chain.compiler import compile_project
from terra.ops.ape_bridge import ape_chain_context, one_line_errors
from terra.ops.deploy import DeployPlan, deploy


@click.command(cls=ConnectedProviderCommand)
@click.option("--stablecoin", default=None, help="USDC address on public chains.")
@click.option("--admin", default=None, help="Admin address (a multisig); required off local chains.")
def cli(stablecoin: str | None, admin: str | None) -> None:
    with one_line_errors():
        ctx = ape_chain_context()
        plan = DeployPlan(
            ctx.admin(), ctx.minter_address(), ctx.treasury_address(), ctx.settings.metadata_uri, stablecoin, admin
        )
        deploy(ctx.w3, compile_project(), plan, ctx.settings.deployments_path, click.echo)
