"""Stripe's test cards and test PaymentMethods, and what confirming a PaymentIntent with each one does.
Numbers and outcomes as documented at https://docs.stripe.com/testing (only the ones the project exercises)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Decline:
    code: str  # the error's `code`
    decline_code: str | None
    message: str


@dataclass(frozen=True)
class CardOutcome:
    decline: Decline | None = None
    disputed: bool = False  # succeeds, then the cardholder disputes it


GENERIC_DECLINE = Decline("card_declined", "generic_decline", "Your card was declined.")
INSUFFICIENT_FUNDS = Decline("card_declined", "insufficient_funds", "Your card has insufficient funds.")
NOT_A_TEST_CARD = Decline(
    "card_declined",
    "test_mode_live_card",
    "Your card was declined. Your request was in test mode, but used a non test card. "
    "For a list of valid test cards, visit: https://stripe.com/docs/testing.",
)
INCORRECT_NUMBER = Decline("incorrect_number", None, "Your card number is incorrect.")

CARDS: dict[str, CardOutcome] = {
    "4242424242424242": CardOutcome(),
    "5555555555554444": CardOutcome(),
    "4000000000000002": CardOutcome(GENERIC_DECLINE),
    "4000000000009995": CardOutcome(INSUFFICIENT_FUNDS),
    "4000000000000069": CardOutcome(Decline("expired_card", None, "Your card has expired.")),
    "4000000000000127": CardOutcome(Decline("incorrect_cvc", None, "Your card's security code is incorrect.")),
    "4000000000000259": CardOutcome(disputed=True),
}

# Stripe's ready-made test PaymentMethods, each standing for one of the cards above.
TEST_PAYMENT_METHODS: dict[str, str] = {
    "pm_card_visa": "4242424242424242",
    "pm_card_mastercard": "5555555555554444",
    "pm_card_chargeDeclined": "4000000000000002",
    "pm_card_chargeDeclinedInsufficientFunds": "4000000000009995",
    "pm_card_chargeDeclinedExpiredCard": "4000000000000069",
    "pm_card_chargeDeclinedIncorrectCvc": "4000000000000127",
    "pm_card_createDispute": "4000000000000259",
}


def luhn_valid(number: str) -> bool:
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def card_outcome(number: str) -> CardOutcome:
    """What Stripe's test mode does with `number` (spaces allowed, as a form field may carry them)."""
    digits = number.replace(" ", "").replace("-", "")
    if digits in CARDS:
        return CARDS[digits]
    if not luhn_valid(digits):
        return CardOutcome(INCORRECT_NUMBER)
    return CardOutcome(NOT_A_TEST_CARD)  # a real card in test mode is declined, never charged
