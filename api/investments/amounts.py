"""Money as the API takes and gives it, exactly: dollars as a decimal string ("25.00") to integer cents, cents to a
stablecoin's smallest units. Pure; no float anywhere."""

from __future__ import annotations

import re
from decimal import Decimal

# Whole dollars with at most two decimals: "25", "25.5", "25.00". No sign, no exponent, no separators.
DOLLARS = re.compile(r"^(0|[1-9][0-9]{0,10})(\.[0-9]{1,2})?$")


def dollars_to_cents(text: str) -> int:
    """ "25.00" -> 2500. Raises ValueError on anything that is not a plain amount of whole cents."""
    if not DOLLARS.fullmatch(text):
        raise ValueError("an amount in dollars with at most two decimals, like 25.00")
    return int(Decimal(text) * 100)


def cents_to_dollars(cents: int) -> str:
    """2500 -> "25.00"."""
    return f"{cents // 100}.{cents % 100:02d}"


def cents_to_units(cents: int, decimals: int) -> int:
    """Cents in a stablecoin's smallest unit (6 decimals: 1 cent = 10,000 units), as PaymentRouter converts."""
    if decimals < 2:
        raise ValueError(f"a stablecoin with {decimals} decimals cannot express cents")
    return cents * int(10 ** (decimals - 2))
