"""Decisions of investing: who may, in what, how much (minimum, capacity left with reservations, the investor's
Regulation Crowdfunding limit), then the payment: a Stripe PaymentIntent or crypto instructions. Never commits:
the request's transaction holds the investor's and the project's locks until its reservation is committed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import stripe
from sqlalchemy.orm import Session

from api.investments import repository as repo
from api.investments.amounts import cents_to_dollars
from api.investments.errors import (
    BelowMinimum,
    CapacityExceeded,
    InvestmentLimitExceeded,
    InvestmentNotFound,
    KycRequired,
    ProjectNotFound,
    ProjectNotOpen,
    WalletNotLinked,
    WalletRequired,
)
from api.investments.limits import RegCfRule, remaining, twelve_month_limit
from api.investments.payments import CardPayment, CryptoInstructions, create_payment_intent, crypto_instructions
from api.investments.schemas import InvestmentIn, InvestmentOut, InvestorProfileIn, InvestorProfileOut
from api.settings import ApiSettings
from core.investments import MINIMUM_INVESTMENT_CENTS, attach_payment_intent, create_investment
from core.models import Investment, Project, User


@dataclass(frozen=True)
class Created:
    investment: Investment
    card: CardPayment | None
    crypto: CryptoInstructions | None


def regcf_rule(settings: ApiSettings) -> RegCfRule:
    return RegCfRule(
        floor_cents=settings.api_regcf_floor_cents,
        threshold_cents=settings.api_regcf_threshold_cents,
        low_percent=settings.api_regcf_low_percent,
        high_percent=settings.api_regcf_high_percent,
        max_cents=settings.api_regcf_max_cents,
    )


def _open_project(session: Session, project_id: uuid.UUID) -> Project:
    """The catalogue project, or why it takes no investment."""
    project = repo.catalogue_project(session, project_id)
    if project is None:
        raise ProjectNotFound()
    on_chain = repo.chain_project(session, project.chain_id, project.token_id)
    if on_chain is None or on_chain.exited or project.status == "exited":
        raise ProjectNotOpen()
    return project


def _check_capacity(session: Session, project: Project, cents: int, now: datetime) -> None:
    """Read under the project's lock: cap - minted (the index) - what open investments hold."""
    on_chain = repo.chain_project(session, project.chain_id, project.token_id)
    assert on_chain is not None
    held = repo.held_cents(session, project.chain_id, project.token_id, now)
    available = max(int(on_chain.supply_cap) - int(on_chain.minted) - held, 0)
    if cents > available:
        raise CapacityExceeded(details={"requested_cents": cents, "available_cents": available})


def _limit_figures(session: Session, settings: ApiSettings, user: User, now: datetime) -> tuple[int, int]:
    profile = repo.investor_profile(session, user.id)
    income = profile.annual_income_cents if profile else None
    worth = profile.net_worth_cents if profile else None
    limit = twelve_month_limit(income, worth, regcf_rule(settings))
    used = repo.used_in_window(session, user.id, now - timedelta(days=settings.api_regcf_window_days), now)
    return limit, used


def _check_limit(session: Session, settings: ApiSettings, user: User, cents: int, now: datetime) -> None:
    limit, used = _limit_figures(session, settings, user, now)
    if cents > remaining(limit, used):
        details = {
            "requested_cents": cents,
            "limit_cents": limit,
            "used_cents": used,
            "remaining_cents": remaining(limit, used),
        }
        raise InvestmentLimitExceeded(details=details)


def _wallet(session: Session, user: User, body: InvestmentIn) -> str | None:
    if body.method != "crypto":
        return None
    if body.wallet is None:
        raise WalletRequired()
    wallet = repo.wallet_of(session, user.id, body.wallet)
    if wallet is None:
        raise WalletNotLinked()
    return wallet.address


def invest(
    session: Session,
    settings: ApiSettings,
    stripe_client: stripe.StripeClient,
    user: User,
    body: InvestmentIn,
    now: datetime,
) -> Created:
    """A new investment holding its share of the capacity for the reservation time, with its payment. Any refusal
    (or Stripe failing) raises before the transaction commits: nothing is stored."""
    if user.kyc_status != "verified":
        raise KycRequired()
    cents = body.cents
    project = _open_project(session, body.project_id)
    minimum = max(project.min_investment_cents, MINIMUM_INVESTMENT_CENTS)
    if cents < minimum:
        raise BelowMinimum(details={"minimum_cents": minimum, "requested_cents": cents})
    wallet = _wallet(session, user, body)

    repo.lock_investor(session, user.id)
    repo.lock_project(session, project.chain_id, project.token_id)
    _check_capacity(session, project, cents, now)
    _check_limit(session, settings, user, cents, now)

    investment = create_investment(
        session,
        chain_id=project.chain_id,
        project_id=int(project.token_id),
        amount_cents=cents,
        method=body.method,
        user_id=user.id,
        wallet=wallet,
        reserved_until=now + timedelta(minutes=settings.api_reservation_minutes),
    )
    if body.method == "card":
        card = create_payment_intent(stripe_client, investment)
        attach_payment_intent(session, investment, card.payment_intent_id)
        return Created(investment, card, None)
    instructions = crypto_instructions(settings.deployments_path, investment, settings.api_stablecoin_decimals)
    return Created(investment, None, instructions)


def own_investment(session: Session, user: User, investment_id: uuid.UUID) -> Investment:
    investment = repo.investment_of(session, user.id, investment_id)
    if investment is None:
        raise InvestmentNotFound()
    return investment


def pending_instructions(settings: ApiSettings, investment: Investment) -> CryptoInstructions | None:
    """A crypto investment still waiting for its money gets its instructions again (the same reference)."""
    if investment.method != "crypto" or investment.status != "pending_payment":
        return None
    return crypto_instructions(settings.deployments_path, investment, settings.api_stablecoin_decimals)


def investment_out(investment: Investment, catalogue_id: uuid.UUID | None) -> InvestmentOut:
    return InvestmentOut(
        id=investment.id,
        project_id=catalogue_id,
        token_id=int(investment.project_id),
        chain_id=investment.chain_id,
        amount_cents=investment.amount_cents,
        amount=cents_to_dollars(investment.amount_cents),
        currency=investment.currency,
        method=investment.method,
        status=investment.status,
        payment_ref=investment.payment_ref,
        wallet=investment.investor_wallet,
        recipient=investment.recipient,
        reserved_until=investment.reserved_until if investment.status == "pending_payment" else None,
        mint_tx_hash=investment.mint_tx_hash,
        mint_block=investment.mint_block,
        failure_reason=investment.failure_reason,
        created_at=investment.created_at,
        updated_at=investment.updated_at,
    )


def investments_out(session: Session, investments: list[Investment]) -> list[InvestmentOut]:
    keys = {(i.chain_id, Decimal(i.project_id)) for i in investments}
    ids = repo.catalogue_ids(session, keys)
    return [investment_out(i, ids.get((i.chain_id, Decimal(i.project_id)))) for i in investments]


def investor_profile(session: Session, settings: ApiSettings, user: User, now: datetime) -> InvestorProfileOut:
    profile = repo.investor_profile(session, user.id)
    limit, used = _limit_figures(session, settings, user, now)
    return InvestorProfileOut(
        annual_income_cents=profile.annual_income_cents if profile else None,
        net_worth_cents=profile.net_worth_cents if profile else None,
        declared_at=profile.declared_at if profile else None,
        limit_cents=limit,
        used_cents=used,
        remaining_cents=remaining(limit, used),
        window_days=settings.api_regcf_window_days,
    )


def declare_investor_profile(
    session: Session, settings: ApiSettings, user: User, body: InvestorProfileIn, now: datetime
) -> InvestorProfileOut:
    # Under the investor's lock: an investment being decided meanwhile is judged on one declaration or the other.
    repo.lock_investor(session, user.id)
    repo.save_investor_profile(session, user.id, body.annual_income_cents, body.net_worth_cents, now)
    return investor_profile(session, settings, user, now)
