"""`terra distributions create|show|sweep|exit`: record a distribution of a project's revenue from the index (a final
snapshot block, exact amounts, the merkle root) for the relayer to put on chain and pay; show where it stands; sweep
what is unclaimed after its deadline (an operator command with the Distributor's admin key); ask for a project's
exit."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer

from terra.commands.options import ChainId, RpcUrl, service_settings
from terra.console import console, fail, user_errors

app = typer.Typer(help="Distributions of project revenue to token holders.", no_args_is_help=True)

EXIT_REFUSED = 8


def cents_of(amount: str) -> int:
    """Dollars as typed ("1234.56") to exact cents; a fraction of a cent or a non-number is refused."""
    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise typer.BadParameter(f"{amount!r} is not an amount in dollars") from None
    cents = value * 100
    if not value.is_finite() or cents != cents.to_integral_value():
        raise typer.BadParameter(f"{amount!r}: amounts are in whole cents")
    return int(cents)


@app.command("create")
def create_cmd(
    project: Annotated[str, typer.Argument(help="Catalogue project id (UUID) or on-chain token id.")],
    amount: Annotated[str, typer.Option("--amount", help="Total in US dollars, e.g. 12500.00.")],
    kind: Annotated[str, typer.Option("--type", help="quarterly, annual or exit.")] = "quarterly",
    energy_mwh: Annotated[str | None, typer.Option("--energy-mwh", help="Energy generated in the period.")] = None,
    snapshot_block: Annotated[
        int | None, typer.Option("--snapshot-block", help="A final block (default: newest final).")
    ] = None,
    key: Annotated[str | None, typer.Option("--key", help="Idempotency key: the same key records once.")] = None,
) -> None:
    """Record a distribution: holders and amounts from the index at a final block, to the cent."""
    from core.db.engine import make_engine, make_session_factory, resolve_database_url
    from core.distributions.payout import payout_token, resolve_project
    from core.distributions.record import DistributionRefused, DistributionRequest, record_distribution
    from core.settings import ServiceSettings

    settings = service_settings(ServiceSettings, None)
    total = cents_of(amount)
    energy = Decimal(energy_mwh) if energy_mwh is not None else None
    engine = make_engine(resolve_database_url(settings))
    try:
        with user_errors(), make_session_factory(engine).begin() as session:
            try:
                target = resolve_project(session, project, settings.chain_id)
                request = DistributionRequest(
                    target.id, total, kind, snapshot_block, energy_generated_mwh=energy, idempotency_key=key
                )
                recorded = record_distribution(
                    session, request, payout_token(settings.deployments_path, target.chain_id)
                )
            except DistributionRefused as exc:
                raise fail(f"{exc.code}: {exc}", EXIT_REFUSED) from None
            d = recorded.distribution
            verb = "recorded" if recorded.created else "already recorded (same key)"
            console.print(f"distribution {d.id} {verb}: project {target.name} (token {int(d.token_id)})")
            console.print(
                f"  total ${Decimal(d.total_cents) / 100:,.2f} to {d.holder_count} holders at block {d.snapshot_block}"
            )
            console.print(f"  merkle root {d.merkle_root}; claimable until {d.claim_deadline:%Y-%m-%d}")
    finally:
        engine.dispose()


@app.command("exit")
def exit_cmd(
    project: Annotated[str, typer.Argument(help="Catalogue project id (UUID) or on-chain token id.")],
    dao: Annotated[str, typer.Option("--dao", help="The community DAO that receives the project.")],
    amount: Annotated[str | None, typer.Option("--amount", help="An exit distribution's total in US dollars.")] = None,
    energy_mwh: Annotated[str | None, typer.Option("--energy-mwh", help="Energy generated in the period.")] = None,
) -> None:
    """Hand a project to its community DAO: the exit distribution (with --amount) is recorded now; the relayer sends
    exitProject once it is on chain, and the project's tokens freeze."""
    from core.db.engine import make_engine, make_session_factory, resolve_database_url
    from core.distributions.exits import request_exit
    from core.distributions.payout import payout_token, resolve_project
    from core.distributions.record import DistributionRefused
    from core.settings import ServiceSettings

    settings = service_settings(ServiceSettings, None)
    total = cents_of(amount) if amount is not None else None
    energy = Decimal(energy_mwh) if energy_mwh is not None else None
    engine = make_engine(resolve_database_url(settings))
    try:
        with user_errors(), make_session_factory(engine).begin() as session:
            try:
                target = resolve_project(session, project, settings.chain_id)
                payout = payout_token(settings.deployments_path, target.chain_id)
                asked = request_exit(
                    session, target.id, dao, payout, exit_total_cents=total, energy_generated_mwh=energy
                )
            except DistributionRefused as exc:
                raise fail(f"{exc.code}: {exc}", EXIT_REFUSED) from None
            console.print(f"exit of {target.name} (token {int(target.token_id)}) to {dao} requested")
            if asked.distribution is not None:
                d = asked.distribution.distribution
                console.print(
                    f"  exit distribution {d.id}: ${Decimal(d.total_cents) / 100:,.2f} to {d.holder_count} holders"
                )
            console.print("  the relayer sends exitProject once that is on chain")
    finally:
        engine.dispose()


@app.command("show")
def show_cmd(distribution_id: Annotated[int, typer.Argument(help="The distribution's id.")]) -> None:
    """Status, total, holders, and what is claimed and unclaimed, from the database and the index."""
    from core.db.engine import make_engine, make_session_factory, resolve_database_url
    from core.distributions.claims import claims_of, pool_totals
    from core.models.distributions import Distribution
    from core.settings import ServiceSettings

    settings = service_settings(ServiceSettings, None)
    engine = make_engine(resolve_database_url(settings))
    try:
        with user_errors(), make_session_factory(engine)() as session:
            d = session.get(Distribution, distribution_id)
            if d is None:
                raise fail(f"DISTRIBUTION_NOT_FOUND: no distribution {distribution_id}", EXIT_REFUSED)
            leaves = claims_of(session, d.id)
            pool = pool_totals(session, d.chain_id, d.id)
            claimed = [c for c in leaves if c.claimed]
            scale = Decimal(10) ** d.payout_decimals
            console.print(f"distribution {d.id}: {d.distribution_type}, project token {int(d.token_id)}, {d.status}")
            if d.failure_reason:
                console.print(f"  failed: {d.failure_reason}")
            console.print(f"  total ${Decimal(d.total_cents) / 100:,.2f} to {d.holder_count} holders")
            console.print(f"  snapshot block {d.snapshot_block}, root {d.merkle_root}")
            console.print(f"  claimable until {d.claim_deadline:%Y-%m-%d %H:%M} UTC")
            paid = sum(c.amount_units for c in claimed)
            console.print(
                f"  claimed {len(claimed)} of {len(leaves)} leaves: ${Decimal(paid) / scale:,.2f}; "
                f"unclaimed ${Decimal(int(d.total_units) - paid) / scale:,.2f}"
            )
            funded = "not yet" if pool.funded is None else f"${Decimal(pool.funded) / scale:,.2f}"
            swept = "" if pool.swept is None else f", swept ${Decimal(pool.swept) / scale:,.2f}"
            console.print(f"  on the Distributor (index): funded {funded}{swept}")
    finally:
        engine.dispose()


@app.command("sweep")
def sweep_cmd(
    distribution_id: Annotated[int, typer.Argument(help="The distribution's id on the Distributor.")],
    to: Annotated[str | None, typer.Option("--to", help="Receiver of the unclaimed funds (default: treasury).")] = None,
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
) -> None:
    """After the claim deadline, send a distribution's unclaimed funds to ADDRESS (the Distributor's admin key,
    DEPLOYER_PRIVATE_KEY). Refused before the deadline, for an unknown or already swept distribution."""
    from web3 import Web3

    from core.chain.abis import DISTRIBUTOR, load_abi
    from core.chain.transactions import transact
    from terra.context import chain_context

    with user_errors():
        ctx = chain_context(rpc_url, chain_id)
        address = Web3.to_checksum_address(ctx.deployment().address(DISTRIBUTOR))
        distributor = ctx.w3.eth.contract(address=address, abi=load_abi(DISTRIBUTOR))
        receiver = Web3.to_checksum_address(to) if to else ctx.treasury_address()
        pool = distributor.functions.pool(distribution_id).call()
        root, total, claimed, deadline, swept = pool[1], int(pool[2]), int(pool[3]), int(pool[4]), bool(pool[5])
        if root == bytes(32):
            raise fail(
                f"DISTRIBUTION_NOT_FUNDED: distribution {distribution_id} is not on the Distributor", EXIT_REFUSED
            )
        if swept:
            raise fail(f"DISTRIBUTION_CLOSED: distribution {distribution_id} was swept already", EXIT_REFUSED)
        now = int(ctx.w3.eth.get_block("latest")["timestamp"])
        if now <= deadline:
            until = datetime.fromtimestamp(deadline, UTC)
            raise fail(
                f"CLAIM_DEADLINE_NOT_PASSED: distribution {distribution_id} is claimable until {until:%Y-%m-%d %H:%M} "
                "UTC; sweep after that",
                EXIT_REFUSED,
            )
        transact(ctx.w3, ctx.admin(), distributor.functions.sweep(distribution_id, receiver))
    console.print(f"distribution {distribution_id} swept: {total - claimed} units unclaimed of {total} to {receiver}")
