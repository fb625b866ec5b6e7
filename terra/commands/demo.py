"""`terra demo seed`: the three demo projects and a few investments on a chain with the contracts deployed."""

from __future__ import annotations

import typer

from terra.commands.options import ChainId, RpcUrl
from terra.console import fail, report, user_errors

app = typer.Typer(help="Demo data for local chains.", no_args_is_help=True)


@app.command("seed")
def seed_cmd(rpc_url: RpcUrl = None, chain_id: ChainId = None) -> None:
    """Create the demo projects (metadata pinned in the content store), mint a handful of investments and write the
    projects' catalogue rows (DATABASE_URL, else the embedded PostgreSQL; migrated first)."""
    from core.db.engine import make_engine, resolve_database_url
    from core.db.migrate import upgrade
    from terra.context import chain_context
    from terra.ops.demo import demo_projects, seed
    from terra.ops.demo_catalogue import seed_catalogue
    from terra.ops.metadata import demo_metadata_cid

    with user_errors():
        ctx = chain_context(rpc_url, chain_id)
        if not ctx.is_local:
            raise fail(f"demo data is for local chains only; chain id {ctx.chain_id} is not one")
        deployment = ctx.deployment()
        result = seed(
            ctx.w3,
            deployment,
            ctx.admin(),
            ctx.minter(),
            lambda project: demo_metadata_cid(ctx.settings, project),
            report,
        )
        url = resolve_database_url(ctx.settings)
        upgrade(url)
        engine = make_engine(url)
        try:
            seed_catalogue(engine, ctx.w3, deployment, demo_projects(), report)
        finally:
            engine.dispose()
    report(
        f"demo seed: {len(result.projects_created)} project(s) created, {len(result.mints)} investment(s) minted, "
        f"{result.skipped} already present"
    )
