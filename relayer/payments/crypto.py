"""Judge a final PaymentReceived against the investment its reference names. Pure.

A payment confirms an investment only when everything matches: a crypto investment still waiting for its money,
paid by its own verified wallet, for its project, in an accepted stablecoin, to the exact cent. Anything else is
flagged for an admin with the reason, and never minted.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Paid:
    payment_ref: str
    payer: str
    project_id: int
    token: str
    amount: int  # the token's smallest unit


@dataclass(frozen=True)
class Expected:
    method: str
    wallet: str | None
    project_id: int
    amount_cents: int
    already_paid: bool


def units_per_cent(decimals: int) -> int:
    """Token units in one US cent: 10,000 for 6 decimals. Tokens with fewer than 2 decimals cannot carry cents."""
    if decimals < 2:
        raise ValueError(f"a stablecoin with {decimals} decimals cannot express cents")
    return int(10 ** (decimals - 2))


def judge(paid: Paid, expected: Expected | None, accepted_tokens: frozenset[str], decimals: int | None) -> str | None:
    """None when the payment confirms the investment, else the reason code of the flag."""
    if expected is None:
        return "unknown_reference"
    if expected.method != "crypto":
        return "not_a_crypto_investment"
    if paid.token.lower() not in accepted_tokens or decimals is None:
        return "disallowed_token"
    if expected.wallet is None or paid.payer.lower() != expected.wallet.lower():
        return "wrong_payer"
    if paid.project_id != expected.project_id:
        return "wrong_project"
    due = expected.amount_cents * units_per_cent(decimals)
    if paid.amount < due:
        return "underpaid"
    if paid.amount > due:
        return "overpaid"
    if expected.already_paid:
        return "paid_twice"
    return None
