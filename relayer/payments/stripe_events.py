"""Apply one stored Stripe event to its investment's facts, then settle the investment. One event, one transaction.

Outcomes are stable codes (logged with the event id and kept on the event row): `applied`, `ignored_type`,
`no_investment_metadata`, `unknown_investment`, `amount_mismatch`, `not_succeeded` (Stripe's API does
not confirm what the event says), `malformed_event`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy.orm import Session

from core.investments import find_by_payment_intent, get_investment
from core.models.investments import Investment
from core.stripe.events import HANDLED_EVENT_TYPES
from relayer.custody import Custody
from relayer.payments import repository as repo
from relayer.payments.settle import settle

log = structlog.get_logger("relayer.stripe")

HANDLED = frozenset(HANDLED_EVENT_TYPES)

# Re-fetches a PaymentIntent from Stripe (only with a real secret key): the event is a hint, the API is the truth.
FetchIntent = Callable[[str], Mapping[str, Any]]


class EventRejected(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _investment_for(session: Session, event_type: str, obj: Mapping[str, Any]) -> Investment:
    if event_type.startswith("payment_intent."):
        raw = (obj.get("metadata") or {}).get("investment_id")
        if not raw:
            pi = obj.get("id")
            found = find_by_payment_intent(session, pi, lock=True) if isinstance(pi, str) else None
            if found is None:
                raise EventRejected("no_investment_metadata", f"PaymentIntent {pi} carries no investment_id")
            return found
        try:
            investment_id = uuid.UUID(str(raw))
        except ValueError:
            raise EventRejected("no_investment_metadata", f"investment_id {str(raw)[:64]!r} is not a UUID") from None
        found = get_investment(session, investment_id, lock=True)
        if found is None:
            raise EventRejected("unknown_investment", f"no investment {investment_id}")
        return found
    pi = obj.get("payment_intent")
    if not isinstance(pi, str):
        raise EventRejected("no_investment_metadata", f"{event_type} names no payment_intent")
    found = find_by_payment_intent(session, pi, lock=True)
    if found is None:
        raise EventRejected("unknown_investment", f"no investment paid by PaymentIntent {pi}")
    return found


def _intent_matches(investment: Investment, intent: Mapping[str, Any]) -> str | None:
    amount = intent.get("amount_received") or intent.get("amount")
    currency = str(intent.get("currency", "")).lower()
    if amount != investment.amount_cents or currency != investment.currency:
        return f"PaymentIntent {intent.get('id')} is {amount} {currency}, the investment {investment.amount_cents} usd"
    return None


def apply_event(
    session: Session, event_id: str, event: Mapping[str, Any], custody: Custody, fetch_intent: FetchIntent | None
) -> str:
    event_type = str(event.get("type", ""))
    if event_type not in HANDLED:
        return "ignored_type"
    obj = (event.get("data") or {}).get("object")
    if not isinstance(obj, Mapping):
        raise EventRejected("malformed_event", "event has no data.object")
    investment = _investment_for(session, event_type, obj)
    if investment.method != "card":
        raise EventRejected("unknown_investment", f"investment {investment.id} is not paid by card")
    now = datetime.now(UTC)
    cause = f"stripe:{event_id} {event_type}"

    if event_type.startswith("payment_intent."):
        if investment.stripe_payment_intent_id is None and isinstance(obj.get("id"), str):
            investment.stripe_payment_intent_id = obj["id"]
        intent = fetch_intent(str(obj["id"])) if fetch_intent is not None else obj
        if event_type == "payment_intent.succeeded":
            code, mismatch = "amount_mismatch", _intent_matches(investment, intent)
            if intent.get("status") != "succeeded":
                code = "not_succeeded"
                mismatch = f"Stripe says PaymentIntent {intent.get('id')} is {intent.get('status')}, not succeeded"
            if mismatch is not None:
                repo.add_flag(
                    session,
                    source="stripe",
                    source_ref=event_id,
                    reason=code,
                    investment_id=investment.id,
                    details={"message": mismatch},
                )
                if code == "amount_mismatch":  # money of another amount moved: never mint it, an admin refunds
                    investment.failure_reason = investment.failure_reason or f"amount_mismatch: {mismatch}"
                settle(session, investment, cause, custody)
                return code
            if investment.paid_at is None:
                investment.paid_at = now
                investment.paid_amount_cents = investment.amount_cents
        elif event_type == "payment_intent.payment_failed":
            error = intent.get("last_payment_error") or {}
            investment.payment_failures += 1
            investment.last_failure = str(error.get("decline_code") or error.get("code") or "payment_failed")
        elif investment.cancelled_at is None:  # canceled
            investment.cancelled_at = now
    elif event_type == "charge.refunded":
        investment.refunded_cents = max(investment.refunded_cents, int(obj.get("amount_refunded") or 0))
        if investment.refunded_cents >= investment.amount_cents:
            repo.resolve_flags(session, investment.id, "refund_owed", cause)
    else:  # a dispute: created opens it unless it already closed; closed is final (won, or lost)
        status = str(obj.get("status", ""))
        closed = "lost" if status == "lost" else "won"
        if event_type == "charge.dispute.closed":
            investment.dispute_status = closed
        elif investment.dispute_status is None:
            investment.dispute_status = "open"
        investment.dispute_id = investment.dispute_id or obj.get("id")
    investment.updated_at = now
    settle(session, investment, cause, custody)
    return "applied"
