"""The fake's in-memory Stripe account: PaymentIntents, charges, refunds and disputes, the transitions Stripe's test
mode makes on them, and the events each change emits. No HTTP here: the server parses, the ledger decides."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from core.stripe import events
from core.stripe.events import Charge, Dispute, Event, PaymentIntent, Refund
from terra.local.fake_stripe.cards import TEST_PAYMENT_METHODS, CardOutcome, card_outcome
from terra.local.fake_stripe.errors import ApiError, missing, unexpected_state
from terra.local.fake_stripe.forms import FormError, boolean, integer, string_map

MIN_AMOUNT = 50  # Stripe's smallest usd charge, in cents
CONFIRMABLE = ("requires_payment_method", "requires_confirmation")
CANCELABLE = ("requires_payment_method", "requires_confirmation", "requires_action", "processing")
CANCELLATION_REASONS = ("duplicate", "fraudulent", "requested_by_customer", "abandoned")


class Ledger:
    """Every method takes the request's parameters as parsed and returns the object Stripe would answer with, or
    raises ApiError; `publish` receives each event the change emits (after the change, outside no lock)."""

    def __init__(self, publish: Callable[[Event], None], clock: Callable[[], float] = time.time) -> None:
        self._publish = publish
        self._clock = clock
        self._lock = threading.Lock()
        self.payment_intents: dict[str, PaymentIntent] = {}
        self.charges: dict[str, Charge] = {}
        self.refunds: dict[str, Refund] = {}
        self.disputes: dict[str, Dispute] = {}
        self.payment_methods: dict[str, str] = dict(TEST_PAYMENT_METHODS)  # id -> card number

    def _now(self) -> int:
        return int(self._clock())

    def _emit(self, pending: list[Event]) -> None:
        for ev in pending:
            self._publish(ev)

    def _event(self, event_type: str, obj: Any, previous: dict[str, Any] | None = None) -> Event:
        return events.event(
            event_type, obj, event_id=events.new_id("evt"), created=self._now(), previous_attributes=previous
        )

    # ----- PaymentIntents ------------------------------------------------------------------------------------------

    def create_payment_intent(self, params: dict[str, Any]) -> PaymentIntent:
        amount = _form(integer, params, "amount", required=True)
        assert amount is not None
        currency = params.get("currency")
        if not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha():
            raise ApiError(400, "Missing required param: currency.", code="parameter_missing", param="currency")
        if amount < MIN_AMOUNT:
            raise ApiError(400, "Amount must be at least $0.50 usd", code="amount_too_small", param="amount")
        types = params.get("payment_method_types")
        if types is not None and not (isinstance(types, list) and all(isinstance(t, str) for t in types)):
            raise ApiError(400, "Invalid array", param="payment_method_types")
        automatic = params.get("automatic_payment_methods", {})
        automatic_enabled = isinstance(automatic, dict) and automatic.get("enabled") == "true"
        pi = events.payment_intent(
            events.new_id("pi"),
            amount=amount,
            currency=currency.lower(),
            metadata=_form(string_map, params, "metadata"),
            created=self._now(),
            payment_method_types=types,
            automatic_payment_methods=types is None or automatic_enabled,
        )
        with self._lock:
            self.payment_intents[pi["id"]] = pi
        if _form(boolean, params, "confirm"):
            return self.confirm_payment_intent(pi["id"], params)
        return pi

    def payment_intent(self, pi_id: str) -> PaymentIntent:
        with self._lock:
            if pi_id not in self.payment_intents:
                raise missing("payment_intent", pi_id)
            return self.payment_intents[pi_id]

    def confirm_payment_intent(self, pi_id: str, params: dict[str, Any]) -> PaymentIntent:
        pending: list[Event] = []
        try:
            with self._lock:
                pi = self._get_pi(pi_id)
                if pi["status"] not in CONFIRMABLE:
                    raise unexpected_state("confirm", dict(pi))
                pm_id, number = self._payment_method(params, pi)
                pi = self._charge(pi, pm_id, card_outcome(number), pending)
            return pi
        finally:
            self._emit(pending)

    def cancel_payment_intent(self, pi_id: str, params: dict[str, Any]) -> PaymentIntent:
        reason = params.get("cancellation_reason") or None
        if reason is not None and reason not in CANCELLATION_REASONS:
            raise ApiError(400, f"Invalid cancellation_reason: {reason}", param="cancellation_reason")
        with self._lock:
            pi = self._get_pi(pi_id)
            if pi["status"] not in CANCELABLE:
                raise unexpected_state("cancel", dict(pi))
            pi = self.payment_intents[pi_id] = events.canceled(pi, self._now(), reason)
            ev = self._event("payment_intent.canceled", pi)
        self._emit([ev])
        return pi

    # ----- charges, refunds, disputes ------------------------------------------------------------------------------

    def charge(self, charge_id: str) -> Charge:
        with self._lock:
            if charge_id not in self.charges:
                raise missing("charge", charge_id)
            return self.charges[charge_id]

    def refund(self, refund_id: str) -> Refund:
        with self._lock:
            if refund_id not in self.refunds:
                raise missing("refund", refund_id)
            return self.refunds[refund_id]

    def create_refund(self, params: dict[str, Any]) -> Refund:
        amount = _form(integer, params, "amount")
        with self._lock:
            ch = self._refundable_charge(params)
            remaining = ch["amount"] - ch["amount_refunded"]
            if remaining <= 0:
                raise ApiError(400, f"Charge {ch['id']} has already been refunded.", code="charge_already_refunded")
            amount = remaining if amount is None else amount
            if amount <= 0:
                raise ApiError(400, "Refund amount must be positive.", param="amount")
            if amount > remaining:
                raise ApiError(
                    400,
                    f"Refund amount (${amount / 100:.2f}) is greater than unrefunded amount on charge "
                    f"(${remaining / 100:.2f})",
                    code="amount_too_large",
                    param="amount",
                )
            previous = {"amount_refunded": ch["amount_refunded"], "refunded": ch["refunded"]}
            ch = self.charges[ch["id"]] = events.refunded(ch, amount)
            re = events.refund(events.new_id("re"), ch, amount, self._now(), params.get("reason") or None)
            self.refunds[re["id"]] = re
            ev = self._event("charge.refunded", ch, previous)
        self._emit([ev])
        return re

    def dispute_payment(self, pi_id: str, status: str) -> Dispute:
        """Open a dispute on the intent's charge (`needs_response`), or close the open one as `won` / `lost`.
        Not an API Stripe has: the fake's stand-in for a cardholder and a bank."""
        with self._lock:
            pi = self._get_pi(pi_id)
            charge_id = pi["latest_charge"]
            if pi["status"] != "succeeded" or charge_id is None:
                raise unexpected_state("dispute", dict(pi))
            ch = self.charges[charge_id]
            dp = next((d for d in self.disputes.values() if d["charge"] == charge_id), None)
            if status == "needs_response":
                if dp is not None:
                    raise ApiError(400, f"Charge {charge_id} is already disputed.", code="charge_disputed")
                dp = events.dispute(events.new_id("dp"), ch, self._now())
                self.charges[charge_id] = ch | {"disputed": True}
                event_type = "charge.dispute.created"
            elif status in ("won", "lost"):
                if dp is None or dp["status"] in ("won", "lost"):
                    raise ApiError(400, f"Charge {charge_id} has no open dispute.", param="payment_intent")
                dp = dp | {"status": "won" if status == "won" else "lost"}
                event_type = "charge.dispute.closed"
            else:
                raise ApiError(400, f"Invalid status: {status}", param="status")
            self.disputes[dp["id"]] = dp
            ev = self._event(event_type, dp)
        self._emit([ev])
        return dp

    # ----- internals (called with the lock held) -------------------------------------------------------------------

    def _get_pi(self, pi_id: str) -> PaymentIntent:
        if pi_id not in self.payment_intents:
            raise missing("payment_intent", pi_id)
        return self.payment_intents[pi_id]

    def _payment_method(self, params: dict[str, Any], pi: PaymentIntent) -> tuple[str, str]:
        """The payment method a confirmation names: a test PaymentMethod id, or card details as Stripe.js posts them
        (`payment_method_data[card][number]`), which become a new PaymentMethod."""
        pm_id = params.get("payment_method") or pi["payment_method"]
        data = params.get("payment_method_data")
        if isinstance(pm_id, str) and pm_id:
            if pm_id not in self.payment_methods:
                raise missing("PaymentMethod", pm_id, param="payment_method")
            return pm_id, self.payment_methods[pm_id]
        if isinstance(data, dict) and data.get("type") == "card" and isinstance(data.get("card"), dict):
            number = data["card"].get("number")
            if not isinstance(number, str) or not number:
                raise ApiError(
                    400,
                    "Missing required param: payment_method_data[card][number].",
                    code="parameter_missing",
                    param="payment_method_data[card][number]",
                )
            pm_id = events.new_id("pm")
            self.payment_methods[pm_id] = number
            return pm_id, number
        raise ApiError(
            400,
            "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm it, "
            "provide a `payment_method` or `payment_method_data`.",
            code="payment_intent_unexpected_state",
            extra={"payment_intent": dict(pi)},
        )

    def _charge(self, pi: PaymentIntent, pm_id: str, outcome: CardOutcome, pending: list[Event]) -> PaymentIntent:
        charge_id = events.new_id("ch")
        now = self._now()
        if outcome.decline is not None:
            d = outcome.decline
            error = events.card_declined(charge_id, d.decline_code or "", d.message, code=d.code)
            self.charges[charge_id] = events.charge(charge_id, pi, now, payment_method=pm_id, error=error)
            pi = self.payment_intents[pi["id"]] = events.failed(pi, error)
            pending.append(self._event("payment_intent.payment_failed", pi))
            param = "payment_method" if d.code == "card_declined" else None
            raise ApiError(
                402,
                d.message,
                type_="card_error",
                code=d.code,
                param=param,
                extra={
                    "decline_code": error["decline_code"],
                    "charge": charge_id,
                    "payment_intent": dict(pi),
                    "payment_method": {"id": pm_id, "object": "payment_method", "type": "card"},
                },
            )
        pi = self.payment_intents[pi["id"]] = events.succeeded(pi, charge_id, pm_id)
        ch = self.charges[charge_id] = events.charge(charge_id, pi, now, payment_method=pm_id)
        pending.append(self._event("payment_intent.succeeded", pi))
        if outcome.disputed:
            dp = events.dispute(events.new_id("dp"), ch, now)
            self.disputes[dp["id"]] = dp
            self.charges[charge_id] = ch | {"disputed": True}
            pending.append(self._event("charge.dispute.created", dp))
        return pi

    def _refundable_charge(self, params: dict[str, Any]) -> Charge:
        if charge_id := params.get("charge"):
            if charge_id not in self.charges:
                raise missing("charge", str(charge_id), param="charge")
            ch = self.charges[charge_id]
        elif pi_id := params.get("payment_intent"):
            pi = self.payment_intents.get(str(pi_id))
            if pi is None:
                raise missing("payment_intent", str(pi_id), param="payment_intent")
            if pi["status"] != "succeeded" or pi["latest_charge"] is None:
                raise ApiError(
                    400,
                    f"This PaymentIntent ({pi['id']}) does not have a successful charge to refund.",
                    param="payment_intent",
                )
            ch = self.charges[pi["latest_charge"]]
        else:
            raise ApiError(
                400,
                "One of the following params should be provided for this request: payment_intent or charge.",
                code="parameter_missing",
            )
        if ch["status"] != "succeeded":
            raise ApiError(400, f"Charge {ch['id']} has not succeeded and cannot be refunded.", param="charge")
        return ch


def _form(parse: Callable[..., Any], params: dict[str, Any], name: str, **kwargs: Any) -> Any:
    """A parameter read with `parse`, a bad one answered as Stripe does (400, naming the parameter)."""
    try:
        return parse(params, name, **kwargs)
    except FormError as exc:
        raise ApiError(400, str(exc), param=exc.param) from None
