"""How an investment gets paid, as the API hands it to the payer: a Stripe PaymentIntent for a card (real Stripe
with STRIPE_SECRET_KEY, the local FAKE Stripe otherwise), or PaymentRouter.pay instructions for a crypto wallet
(addresses from the deployment record, the amount in the stablecoin's smallest units, the calldata)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import stripe
import structlog
from web3 import Web3

from api.investments.amounts import cents_to_units
from api.investments.errors import CryptoPaymentsUnavailable, PaymentProviderUnavailable
from core.chain.abis import PAYMENT_ROUTER, STABLECOIN, load_abi
from core.chain.deployments import load_deployment
from core.chain.errors import DeploymentNotFound
from core.models import Investment
from core.stripe.metadata import InvestmentMetadata

log = structlog.get_logger("api.investments")

PAY_SIGNATURE = "pay(uint256,address,uint256,bytes32)"
APPROVE_SIGNATURE = "approve(address,uint256)"


@dataclass(frozen=True)
class CardPayment:
    payment_intent_id: str
    client_secret: str


@dataclass(frozen=True)
class CryptoInstructions:
    chain_id: int
    router: str
    token: str
    token_decimals: int
    amount_units: int
    payment_ref: str
    project_token_id: int
    payer: str
    pay_calldata: str
    approve_calldata: str


def idempotency_key(investment: Investment) -> str:
    """One PaymentIntent per investment however often the SDK retries the request."""
    return f"terra-lumina-investment-{investment.id}"


def create_payment_intent(client: stripe.StripeClient, investment: Investment) -> CardPayment:
    """The investment's PaymentIntent: its amount in US cents, and the metadata the relayer finds it by."""
    metadata = InvestmentMetadata(investment.id, investment.payment_ref, int(investment.project_id))
    try:
        intent = client.v1.payment_intents.create(
            params={
                "amount": investment.amount_cents,
                "currency": "usd",
                "metadata": metadata.as_metadata(),
                "description": f"Terra Lumina investment {investment.id}",
            },
            options={"idempotency_key": idempotency_key(investment)},
        )
    except stripe.StripeError as exc:
        # The type only: Stripe's messages may quote request parameters.
        log.warning("stripe_payment_intent_failed", investment_id=str(investment.id), error=type(exc).__name__)
        raise PaymentProviderUnavailable() from None
    if not intent.client_secret:
        raise PaymentProviderUnavailable()
    return CardPayment(intent.id, intent.client_secret)


def crypto_instructions(deployments_dir: Path, investment: Investment, decimals: int) -> CryptoInstructions:
    """What the wallet sends: approve(router, amount) on the stablecoin, then
    PaymentRouter.pay(projectId, token, amount, paymentRef) from the investment's own wallet."""
    try:
        deployment = load_deployment(deployments_dir, investment.chain_id)
    except DeploymentNotFound:
        raise CryptoPaymentsUnavailable() from None
    if deployment.stablecoin is None or PAYMENT_ROUTER not in deployment.contracts:
        raise CryptoPaymentsUnavailable()
    router = Web3.to_checksum_address(deployment.address(PAYMENT_ROUTER))
    token = Web3.to_checksum_address(deployment.stablecoin)
    units = cents_to_units(investment.amount_cents, decimals)
    token_id = int(investment.project_id)
    ref = bytes.fromhex(investment.payment_ref.removeprefix("0x"))
    w3 = Web3()
    pay = w3.eth.contract(abi=load_abi(PAYMENT_ROUTER)).encode_abi("pay", args=[token_id, token, units, ref])
    approve = w3.eth.contract(abi=load_abi(STABLECOIN)).encode_abi("approve", args=[router, units])
    assert investment.investor_wallet is not None
    return CryptoInstructions(
        chain_id=investment.chain_id,
        router=router,
        token=token,
        token_decimals=decimals,
        amount_units=units,
        payment_ref=investment.payment_ref,
        project_token_id=token_id,
        payer=Web3.to_checksum_address(investment.investor_wallet),
        pay_calldata=pay,
        approve_calldata=approve,
    )
