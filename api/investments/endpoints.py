"""/api/v1/investments (create, list, detail) and /api/v1/users/me/investor-profile. HTTP only: decisions are in
service.py. Answers reading investments carry the chain mirror's position in `meta` (statuses follow the index)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import stripe
from fastapi import APIRouter, status
from starlette.requests import Request

from api.deps import CurrentUser, SessionDep, SettingsDep
from api.envelope import ChainMeta, ChainPageMeta, Envelope, Meta, ok
from api.index.meta import chain_envelope, chain_meta
from api.investments import repository as repo
from api.investments import service
from api.investments.payments import APPROVE_SIGNATURE, PAY_SIGNATURE, CryptoInstructions
from api.investments.schemas import (
    CardPaymentOut,
    ContractCall,
    CreatedInvestment,
    CryptoPaymentOut,
    InvestmentDetail,
    InvestmentIn,
    InvestmentOut,
    InvestorProfileIn,
    InvestorProfileOut,
    StatusChangeOut,
)
from api.metrics import INVESTMENT_AMOUNT, INVESTMENTS
from api.pagination import Page, PageDep, chain_page_envelope, fetch_page
from api.settings import ApiSettings
from core.investments import status_history
from core.stripe.client import stripe_client

router = APIRouter(tags=["investments"])


def _now() -> datetime:
    return datetime.now(UTC)


def _stripe(request: Request, settings: ApiSettings) -> stripe.StripeClient:
    """One SDK client per app (it keeps its HTTP connections), built from the API's Stripe settings."""
    client: stripe.StripeClient | None = getattr(request.app.state, "stripe_client", None)
    if client is None:
        client = stripe_client(settings, timeout=settings.api_stripe_timeout_seconds)
        request.app.state.stripe_client = client
    return client


def _crypto_out(c: CryptoInstructions) -> CryptoPaymentOut:
    units = str(c.amount_units)
    return CryptoPaymentOut(
        chain_id=c.chain_id,
        router=c.router,
        token=c.token,
        token_decimals=c.token_decimals,
        amount_units=units,
        payment_ref=c.payment_ref,
        payer=c.payer,
        approve=ContractCall(
            to=c.token,
            function=APPROVE_SIGNATURE,
            args={"spender": c.router, "value": units},
            calldata=c.approve_calldata,
        ),
        pay=ContractCall(
            to=c.router,
            function=PAY_SIGNATURE,
            args={"projectId": str(c.project_token_id), "token": c.token, "amount": units, "paymentRef": c.payment_ref},
            calldata=c.pay_calldata,
        ),
    )


@router.post("/investments", status_code=status.HTTP_201_CREATED, response_model=Envelope[CreatedInvestment, Meta])
def create(
    body: InvestmentIn, user: CurrentUser, db: SessionDep, settings: SettingsDep, request: Request
) -> Envelope[CreatedInvestment, Meta]:
    """Invest in a project (by its catalogue id), by card or from a linked wallet. The amount is held for
    API_RESERVATION_MINUTES while the payment happens. Errors: KYC_REQUIRED, PROJECT_NOT_FOUND, PROJECT_NOT_OPEN,
    BELOW_MINIMUM_INVESTMENT, CAPACITY_EXCEEDED, INVESTMENT_LIMIT_EXCEEDED, WALLET_REQUIRED, WALLET_NOT_LINKED,
    PAYMENT_PROVIDER_UNAVAILABLE (nothing stored), CRYPTO_PAYMENTS_UNAVAILABLE."""
    created = service.invest(db, settings, _stripe(request, settings), user, body, _now())
    inv = created.investment
    out = service.investment_out(inv, body.project_id)
    if created.card is not None:
        payment: CardPaymentOut | CryptoPaymentOut = CardPaymentOut(
            payment_intent_id=created.card.payment_intent_id,
            client_secret=created.card.client_secret,
            publishable_key=settings.stripe_publishable,
        )
    else:
        assert created.crypto is not None
        payment = _crypto_out(created.crypto)
    INVESTMENTS.labels(project_id=str(int(inv.project_id)), payment_method=inv.method).inc()
    INVESTMENT_AMOUNT.observe(float(Decimal(inv.amount_cents) / 100))
    return ok(CreatedInvestment(investment=out, payment=payment))


@router.get("/investments", response_model=Envelope[list[InvestmentOut], ChainPageMeta])
def list_mine(user: CurrentUser, db: SessionDep, page: PageDep) -> Envelope[list[InvestmentOut], ChainPageMeta]:
    """Your investments, newest first."""
    found = fetch_page(db, repo.investments_of(user.id), page)
    items = service.investments_out(db, list(found.items))
    return chain_page_envelope(Page(items, found.page, found.per_page, found.total), chain_meta(db, None))


@router.get("/investments/{investment_id}", response_model=Envelope[InvestmentDetail, ChainMeta])
def read_one(
    investment_id: uuid.UUID, user: CurrentUser, db: SessionDep, settings: SettingsDep
) -> Envelope[InvestmentDetail, ChainMeta]:
    """One of your investments with its status history and mint transaction. Another user's: INVESTMENT_NOT_FOUND."""
    inv = service.own_investment(db, user, investment_id)
    (out,) = service.investments_out(db, [inv])
    history = [
        StatusChangeOut(at=c.at, from_status=c.from_status, to_status=c.to_status, cause=c.cause)
        for c in status_history(db, inv.id)
    ]
    instructions = service.pending_instructions(settings, inv)
    detail = InvestmentDetail(
        **out.model_dump(), history=history, payment=_crypto_out(instructions) if instructions else None
    )
    return chain_envelope(detail, chain_meta(db, inv.chain_id))


@router.get("/users/me/investor-profile", response_model=Envelope[InvestorProfileOut, Meta])
def read_profile(user: CurrentUser, db: SessionDep, settings: SettingsDep) -> Envelope[InvestorProfileOut, Meta]:
    """What you declared, your 12-month limit (Regulation Crowdfunding) and what of it is used."""
    return ok(service.investor_profile(db, settings, user, _now()))


@router.put("/users/me/investor-profile", response_model=Envelope[InvestorProfileOut, Meta])
def declare_profile(
    body: InvestorProfileIn, user: CurrentUser, db: SessionDep, settings: SettingsDep
) -> Envelope[InvestorProfileOut, Meta]:
    """Declare your annual income and net worth (US cents); without them the limit is the $2,500 floor."""
    return ok(service.declare_investor_profile(db, settings, user, body, _now()))
