"""Stripe-shaped objects and events, as pure functions: the JSON Stripe sends for a PaymentIntent, a Charge, a
Dispute and the event around them, with the fields real Stripe has that the relayer reads. The local fake and
`terra stripe simulate` build their payloads here, so both send one shape."""

from __future__ import annotations

import json
import secrets
import string
from typing import Any, Literal, TypedDict

import stripe

API_VERSION: str = stripe.api_version  # the version the pinned SDK speaks, and the one events are rendered in

PaymentIntentStatus = Literal[
    "requires_payment_method", "requires_confirmation", "requires_action", "processing", "succeeded", "canceled"
]
DisputeStatus = Literal["warning_needs_response", "needs_response", "under_review", "won", "lost"]

HANDLED_EVENT_TYPES = (
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "charge.refunded",
    "charge.dispute.created",
    "charge.dispute.closed",
)

_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str) -> str:
    """An id in Stripe's style: `pi_`, `ch_`, `evt_`... and 24 base-62 characters."""
    return f"{prefix}_" + "".join(secrets.choice(_ALPHABET) for _ in range(24))


class LastPaymentError(TypedDict):
    type: str
    code: str
    decline_code: str | None
    message: str
    charge: str | None
    doc_url: str


class AutomaticPaymentMethods(TypedDict):
    enabled: bool


class PaymentIntent(TypedDict):
    id: str
    object: Literal["payment_intent"]
    amount: int
    amount_capturable: int
    amount_received: int
    automatic_payment_methods: AutomaticPaymentMethods | None
    canceled_at: int | None
    cancellation_reason: str | None
    capture_method: str
    client_secret: str
    confirmation_method: str
    created: int
    currency: str
    last_payment_error: LastPaymentError | None
    latest_charge: str | None
    livemode: bool
    metadata: dict[str, str]
    payment_method: str | None
    payment_method_types: list[str]
    status: PaymentIntentStatus


class Outcome(TypedDict):
    network_status: str
    reason: str | None
    seller_message: str
    type: str


class Charge(TypedDict):
    id: str
    object: Literal["charge"]
    amount: int
    amount_captured: int
    amount_refunded: int
    captured: bool
    created: int
    currency: str
    disputed: bool
    failure_code: str | None
    failure_message: str | None
    livemode: bool
    metadata: dict[str, str]
    outcome: Outcome
    paid: bool
    payment_intent: str
    payment_method: str | None
    refunded: bool
    status: Literal["succeeded", "pending", "failed"]


class Dispute(TypedDict):
    id: str
    object: Literal["dispute"]
    amount: int
    charge: str
    created: int
    currency: str
    is_charge_refundable: bool
    livemode: bool
    metadata: dict[str, str]
    payment_intent: str
    reason: str
    status: DisputeStatus


class Refund(TypedDict):
    id: str
    object: Literal["refund"]
    amount: int
    charge: str
    created: int
    currency: str
    metadata: dict[str, str]
    payment_intent: str
    reason: str | None
    status: Literal["succeeded", "pending", "failed"]


class EventData(TypedDict, total=False):
    object: Any  # one of the objects above
    previous_attributes: dict[str, Any]


class EventRequest(TypedDict):
    id: str | None
    idempotency_key: str | None


class Event(TypedDict):
    id: str
    object: Literal["event"]
    api_version: str
    created: int
    data: EventData
    livemode: bool
    pending_webhooks: int
    request: EventRequest
    type: str


def payment_intent(
    pi_id: str,
    *,
    amount: int,
    currency: str,
    metadata: dict[str, str],
    created: int,
    payment_method_types: list[str] | None = None,
    automatic_payment_methods: bool = True,
) -> PaymentIntent:
    """A PaymentIntent as Stripe answers its creation: waiting for a payment method."""
    return {
        "id": pi_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_received": 0,
        "automatic_payment_methods": {"enabled": True} if automatic_payment_methods else None,
        "canceled_at": None,
        "cancellation_reason": None,
        "capture_method": "automatic",
        "client_secret": f"{pi_id}_secret_{new_id('cs')[3:]}",
        "confirmation_method": "automatic",
        "created": created,
        "currency": currency,
        "last_payment_error": None,
        "latest_charge": None,
        "livemode": False,
        "metadata": dict(metadata),
        "payment_method": None,
        "payment_method_types": payment_method_types or ["card"],
        "status": "requires_payment_method",
    }


def succeeded(pi: PaymentIntent, charge_id: str, payment_method: str) -> PaymentIntent:
    return pi | {
        "status": "succeeded",
        "amount_received": pi["amount"],
        "latest_charge": charge_id,
        "payment_method": payment_method,
        "last_payment_error": None,
    }


def failed(pi: PaymentIntent, error: LastPaymentError) -> PaymentIntent:
    """After a declined confirmation Stripe sends the intent back to waiting for a (new) payment method."""
    return pi | {
        "status": "requires_payment_method",
        "latest_charge": error["charge"],
        "last_payment_error": error,
        "payment_method": None,
    }


def canceled(pi: PaymentIntent, at: int, reason: str | None) -> PaymentIntent:
    return pi | {"status": "canceled", "canceled_at": at, "cancellation_reason": reason}


def card_declined(
    charge_id: str | None, decline_code: str, message: str, code: str = "card_declined"
) -> LastPaymentError:
    return {
        "type": "card_error",
        "code": code,
        "decline_code": decline_code if code == "card_declined" else None,
        "message": message,
        "charge": charge_id,
        "doc_url": f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}",
    }


def charge(
    charge_id: str,
    pi: PaymentIntent,
    created: int,
    *,
    payment_method: str | None,
    error: LastPaymentError | None = None,
) -> Charge:
    """The charge a confirmation creates: succeeded, or failed with the decline's code. Stripe copies the intent's
    metadata onto it."""
    paid = error is None
    failure_code = error["code"] if error else None
    failure_message = error["message"] if error else None
    decline_code = error["decline_code"] if error else None
    return {
        "id": charge_id,
        "object": "charge",
        "amount": pi["amount"],
        "amount_captured": pi["amount"] if paid else 0,
        "amount_refunded": 0,
        "captured": paid,
        "created": created,
        "currency": pi["currency"],
        "disputed": False,
        "failure_code": failure_code,
        "failure_message": failure_message,
        "livemode": False,
        "metadata": dict(pi["metadata"]),
        "outcome": {
            "network_status": "approved_by_network" if paid else "declined_by_network",
            "reason": decline_code,
            "seller_message": "Payment complete." if paid else "The bank did not return any further details.",
            "type": "authorized" if paid else "issuer_declined",
        },
        "paid": paid,
        "payment_intent": pi["id"],
        "payment_method": payment_method,
        "refunded": False,
        "status": "succeeded" if paid else "failed",
    }


def refunded(ch: Charge, amount: int) -> Charge:
    """The charge after a refund of `amount` more cents; `refunded` only once all of it is."""
    total = ch["amount_refunded"] + amount
    return ch | {"amount_refunded": total, "refunded": total >= ch["amount"]}


def refund(refund_id: str, ch: Charge, amount: int, created: int, reason: str | None = None) -> Refund:
    return {
        "id": refund_id,
        "object": "refund",
        "amount": amount,
        "charge": ch["id"],
        "created": created,
        "currency": ch["currency"],
        "metadata": {},
        "payment_intent": ch["payment_intent"],
        "reason": reason,
        "status": "succeeded",
    }


def dispute(
    dispute_id: str, ch: Charge, created: int, status: DisputeStatus = "needs_response", reason: str = "fraudulent"
) -> Dispute:
    """A dispute on the whole charge. Its metadata is its own (empty): the intent is found by `payment_intent`."""
    return {
        "id": dispute_id,
        "object": "dispute",
        "amount": ch["amount"],
        "charge": ch["id"],
        "created": created,
        "currency": ch["currency"],
        "is_charge_refundable": False,
        "livemode": False,
        "metadata": {},
        "payment_intent": ch["payment_intent"],
        "reason": reason,
        "status": status,
    }


def event(
    event_type: str,
    obj: PaymentIntent | Charge | Dispute | Refund,
    *,
    event_id: str,
    created: int,
    previous_attributes: dict[str, Any] | None = None,
    request_id: str | None = None,
    api_version: str = API_VERSION,
) -> Event:
    data: EventData = {"object": obj}
    if previous_attributes:
        data["previous_attributes"] = previous_attributes
    return {
        "id": event_id,
        "object": "event",
        "api_version": api_version,
        "created": created,
        "data": data,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": request_id, "idempotency_key": None},
        "type": event_type,
    }


def event_body(ev: Event) -> bytes:
    """The bytes Stripe posts (pretty-printed JSON); the signature covers exactly these."""
    return json.dumps(ev, indent=2).encode()
