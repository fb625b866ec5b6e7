"""`terra stripe simulate`: post a signed Stripe event about one of our investments to the relayer, as Stripe
would, for local test mode (no STRIPE_SECRET_KEY). The event is built from the database's record of the investment."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from terra.console import console, fail, user_errors

if TYPE_CHECKING:
    import httpx

    from core.stripe.settings import StripeSettings
    from core.stripe.simulated import PaymentFacts

app = typer.Typer(help="Stripe in local test mode: simulated webhooks.", no_args_is_help=True)


class EventType(StrEnum):
    succeeded = "payment_intent.succeeded"
    payment_failed = "payment_intent.payment_failed"
    canceled = "payment_intent.canceled"
    refunded = "charge.refunded"
    dispute_created = "charge.dispute.created"
    dispute_closed = "charge.dispute.closed"


class DisputeStatus(StrEnum):
    won = "won"
    lost = "lost"


@app.command("simulate")
def simulate_cmd(
    investment_id: Annotated[str, typer.Argument(help="The investment's UUID.")],
    event: Annotated[EventType, typer.Option("--event", help="Event type to send.")] = EventType.succeeded,
    dispute_status: Annotated[
        DisputeStatus, typer.Option("--dispute-status", help="How a charge.dispute.closed ends.")
    ] = DisputeStatus.lost,
    amount: Annotated[
        int | None, typer.Option("--amount", help="Amount in cents instead of the investment's (to test a mismatch).")
    ] = None,
    refund_amount: Annotated[
        int | None, typer.Option("--refund-amount", help="Cents a charge.refunded refunds (default: all).")
    ] = None,
    event_id: Annotated[
        str | None, typer.Option("--event-id", help="Reuse an event id (to replay a duplicate delivery).")
    ] = None,
    url: Annotated[
        str | None, typer.Option("--url", help="Webhook URL (default: STRIPE_FAKE_WEBHOOK_URL, the relayer's).")
    ] = None,
) -> None:
    """Post a signed EVENT about INVESTMENT_ID to the relayer and print its answer; exits 1 unless it answers 2xx."""
    import time

    from core.settings import load_settings
    from core.stripe.events import event_body
    from core.stripe.settings import StripeSettings
    from core.stripe.simulated import simulated_event

    with user_errors():
        settings = load_settings(StripeSettings)
        if not settings.uses_fake_stripe:
            raise fail(
                "STRIPE_SECRET_KEY is set: simulated events are for local test mode only "
                "(against real Stripe, use the Stripe CLI's `stripe trigger`)"
            )
        try:
            wanted = uuid.UUID(investment_id)
        except ValueError:
            raise fail(f"{investment_id!r} is not an investment id (a UUID)") from None
        payment = _payment(settings, wanted)
        ev = simulated_event(
            event.value,
            payment,
            now=int(time.time()),
            event_id=event_id,
            amount_cents=amount,
            refund_cents=refund_amount,
            dispute_status=dispute_status.value,
        )
        console.print(f"event     {ev['id']} ({ev['type']}) for investment {wanted}")
        console.print(f"object    {ev['data']['object']['id']} (PaymentIntent {payment.intent_id})")
        answer = _post_signed(url or settings.stripe_fake_webhook_url, event_body(ev), settings.webhook_secret())
        console.print(f"relayer   HTTP {answer.status_code} {answer.text[:500]}", markup=False)
    if not answer.is_success:
        raise typer.Exit(1)


def _post_signed(target: str, body: bytes, secret: str) -> httpx.Response:
    """`body` posted as Stripe posts a webhook, signed now."""
    import time

    import httpx

    from core.stripe.signature import SIGNATURE_HEADER, sign_payload

    headers = {
        "Content-Type": "application/json; charset=utf-8",
        SIGNATURE_HEADER: sign_payload(body, secret, int(time.time())),
    }
    try:
        return httpx.post(target, content=body, headers=headers, timeout=30)
    except httpx.HTTPError as exc:
        raise fail(f"the webhook endpoint {target} could not be reached: {type(exc).__name__}: {exc}") from None


def _payment(settings: StripeSettings, investment_id: uuid.UUID) -> PaymentFacts:
    """What the database records of the card investment, read in one short transaction."""
    from sqlalchemy.orm import Session

    from core.db.engine import make_engine, resolve_database_url
    from core.investments import get_investment
    from core.stripe.metadata import InvestmentMetadata
    from core.stripe.simulated import PaymentFacts

    engine = make_engine(resolve_database_url(settings))
    try:
        with Session(engine) as session:
            investment = get_investment(session, investment_id)
            if investment is None:
                raise fail(f"no investment {investment_id}")
            if investment.method != "card":
                raise fail(f"investment {investment_id} is paid by {investment.method}: Stripe events are for cards")
            return PaymentFacts(
                InvestmentMetadata(investment.id, investment.payment_ref, int(investment.project_id)),
                amount_cents=investment.amount_cents,
                currency=investment.currency,
                payment_intent_id=investment.stripe_payment_intent_id,
            )
    finally:
        engine.dispose()
