"""The portfolio's arithmetic (pure): shares of a project as exact decimals, cents to dollars, pro-rata estimates.
One token unit = one US cent at issue (DESIGN.md "Units"), so a holding's value at issue price is its balance."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext

SHARE_PLACES = 18  # enough for a one-unit holding of any realistic cap (a $10^16 project)
_CENTS = Decimal("0.01")


@dataclass(frozen=True)
class Share:
    text: str  # the decimal, no exponent; exact, or cut (not rounded up) after SHARE_PLACES places
    exact: bool


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def share(balance: int, cap: int) -> Share:
    """balance / cap as a decimal string: exact when it terminates within SHARE_PLACES places."""
    if cap <= 0:
        raise ValueError(f"a supply cap is positive, got {cap}")
    if balance < 0:
        raise ValueError(f"a balance is never negative, got {balance}")
    scaled, remainder = divmod(balance * 10**SHARE_PLACES, cap)
    with localcontext() as ctx:
        ctx.prec = len(str(scaled)) + SHARE_PLACES + 2
        value = Decimal(scaled).scaleb(-SHARE_PLACES)
    return Share(_plain(value), remainder == 0)


def dollars(cents: int) -> Decimal:
    """Cents as dollars with two places, exactly (whatever the size: uint256 balances are cents too)."""
    with localcontext() as ctx:
        ctx.prec = len(str(abs(cents))) + 3
        return Decimal(cents).scaleb(-2).quantize(_CENTS)


def pro_rata(total: int, balance: int, supply: int) -> int:
    """A holder's part of `total` by balance over supply, rounded down (what a pro-rata tree gives before the dust)."""
    if supply <= 0 or balance <= 0:
        return 0
    if balance > supply:
        raise ValueError(f"a balance ({balance}) cannot exceed the supply ({supply})")
    return total * balance // supply
