"""`terra distributions create|show`: record a distribution of a project's revenue from the index (a final snapshot
block, exact amounts, the merkle root) for the relayer to put on chain and pay."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer

from terra.commands.options import service_settings
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
