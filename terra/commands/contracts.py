"""`terra contracts compile|deploy|verify`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from terra.commands.options import ChainId, RpcUrl
from terra.console import console, fail, report, user_errors

# Each command imports the compiler, web3 and the operator logic when it runs: `terra --help` loads none of them.

app = typer.Typer(help="Compile, deploy and verify the contracts.", no_args_is_help=True)


@app.command("compile")
def compile_cmd() -> None:
    """Compile the contracts offline and refresh the ABIs the services read (core/chain/abi/)."""
    from core.chain.abis import write_abis
    from core.chain.compiler import CompilerError, compile_project

    with user_errors(CompilerError):
        build = compile_project()
    write_abis({name: c.abi for name, c in build.contracts.items() if c.bytecode != "0x"})
    for name, c in sorted(build.contracts.items()):
        if c.bytecode != "0x":
            report(f"{name}: {len(c.deployed_bytecode) // 2 - 1} bytes of runtime code")


@app.command("deploy")
def deploy_cmd(
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    stablecoin: Annotated[str | None, typer.Option(help="USDC address on public chains.")] = None,
    admin: Annotated[
        str | None,
        typer.Option(
            help="Address (a multisig) granted the admin, project-admin and pauser roles; the deploying key then "
            "renounces all of its roles. Required off local chains; without it a local chain's deployer keeps them."
        ),
    ] = None,
) -> None:
    """Deploy the contracts, grant the roles (minter, compliance: the relayer), record deployments/<chain_id>.json."""
    from core.chain.compiler import CompilerError, compile_project
    from terra.context import chain_context
    from terra.ops.deploy import DeployPlan, deploy

    with user_errors(CompilerError):
        ctx = chain_context(rpc_url, chain_id)
        build = compile_project()
        plan = DeployPlan(
            deployer=ctx.admin(),
            minter=ctx.minter_address(),
            treasury=ctx.treasury_address(),
            metadata_uri=ctx.settings.metadata_uri,
            stablecoin=stablecoin,
            admin=admin,
        )
        deploy(ctx.w3, build, plan, ctx.settings.deployments_path, report)


@app.command("verify")
def verify_cmd(
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    out: Annotated[Path | None, typer.Option(help="Where to write the explorer files.")] = None,
) -> None:
    """Rebuild each contract from the recorded standard-JSON input and compare it with the code on chain."""
    from core.chain.compiler import CompilerError
    from terra.context import chain_context
    from terra.ops.verify import verify

    with user_errors(CompilerError):
        ctx = chain_context(rpc_url, chain_id)
        deployment = ctx.deployment()
        out_dir = out or ctx.settings.deployments_path / "verify" / str(ctx.chain_id)
        results = verify(ctx.w3, deployment, ctx.settings.deployments_path, out_dir)
    for r in results:
        mark = "[green]ok[/]" if r.ok else "[red]MISMATCH[/]"
        console.print(f"{mark} {r.name} at {r.address}: {r.reason}")
    console.print(f"explorer files (standard-JSON input, constructor arguments) in {out_dir}")
    bad = [r for r in results if not r.ok]
    if bad:
        raise fail(f"{len(bad)} contract(s) do not match: " + ", ".join(f"{r.name} ({r.reason})" for r in bad))
