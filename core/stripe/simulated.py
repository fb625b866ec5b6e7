"""An event of any handled type for one of our payments, as Stripe would send it, built from what the database
knows about the investment: `terra stripe simulate` posts these, and tests of the relayer can too."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

from core.stripe import events
from core.stripe.events import Event
from core.stripe.metadata import InvestmentMetadata

DisputeOutcome = Literal["won", "lost"]


class UnknownEventType(ValueError):
    pass


@dataclass(frozen=True)
class PaymentFacts:
    """One card payment as our database records it."""

    metadata: InvestmentMetadata
    amount_cents: int
    currency: str = "usd"
    payment_intent_id: str | None = None  # None: an id derived from the investment id (stable across runs)

    @property
    def intent_id(self) -> str:
        return self.payment_intent_id or "pi_sim_" + _digest(str(self.metadata.investment_id), 24)

    def derived_id(self, prefix: str) -> str:
        """The charge or dispute of this intent: the same id on every simulated event about it."""
        return f"{prefix}_sim_" + _digest(f"{prefix}:{self.intent_id}", 24)


def _digest(text: str, length: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def simulated_event(
    event_type: str,
    payment: PaymentFacts,
    *,
    now: int,
    event_id: str | None = None,
    amount_cents: int | None = None,
    refund_cents: int | None = None,
    dispute_status: DisputeOutcome = "lost",
) -> Event:
    """`event_type` about `payment`; `amount_cents` overrides the amount paid (to test a mismatch), `refund_cents`
    the amount a `charge.refunded` refunds (all of it by default)."""
    if event_type not in events.HANDLED_EVENT_TYPES:
        raise UnknownEventType(f"{event_type!r} is not one of {', '.join(events.HANDLED_EVENT_TYPES)}")
    amount = payment.amount_cents if amount_cents is None else amount_cents
    pi = events.payment_intent(
        payment.intent_id,
        amount=amount,
        currency=payment.currency,
        metadata=payment.metadata.as_metadata(),
        created=now,
    )
    charge_id = payment.derived_id("ch")
    paid = events.succeeded(pi, charge_id, "pm_card_visa")
    charge = events.charge(charge_id, paid, now, payment_method="pm_card_visa")
    ev_id = event_id or events.new_id("evt")
    match event_type:
        case "payment_intent.succeeded":
            obj: events.PaymentIntent | events.Charge | events.Dispute = paid
        case "payment_intent.payment_failed":
            error = events.card_declined(charge_id, "generic_decline", "Your card was declined.")
            obj = events.failed(pi, error)
        case "payment_intent.canceled":
            obj = events.canceled(pi, now, "requested_by_customer")
        case "charge.refunded":
            obj = events.refunded(charge, amount if refund_cents is None else refund_cents)
        case "charge.dispute.created":
            obj = events.dispute(payment.derived_id("dp"), charge, now)
        case _:  # charge.dispute.closed
            obj = events.dispute(payment.derived_id("dp"), charge, now, status=dispute_status)
    return events.event(event_type, obj, event_id=ev_id, created=now)
