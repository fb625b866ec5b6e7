"""`terra demo seed`: the three demo projects and a few investments on a chain with the contracts deployed."""

from __future__ import annotations

import typer

from terra.commands.options import ChainId, RpcUrl
from terra.console import fail, report, user_errors

app = typer.Typer(help="Demo data for local chains.", no_args_is_help=True)


@app.command("seed")
def seed_cmd(rpc_url: RpcUrl = None, chain_id: ChainId = None) -> None:
    """Create the demo projects (metadata pinned in the content store) and mint a handful of investments."""
    from terra.context import chain_context
    from terra.ops.demo import seed
    from terra.ops.metadata import demo_metadata_cid

    with user_errors():
        ctx = chain_context(rpc_url, chain_id)
        if not ctx.is_local:
            raise fail(f"demo data is for local chains only; chain id {ctx.chain_id} is not one")
        result = seed(
            ctx.w3,
            ctx.deployment(),
            ctx.admin(),
            ctx.minter(),
            lambda project: demo_metadata_cid(ctx.settings, project),
            report,
        )
    report(
        f"demo seed: {len(result.projects_created)} project(s) created, {len(result.mints)} investment(s) minted, "
        f"{result.skipped} already present"
    )
