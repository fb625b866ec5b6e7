"""Pro-rata amounts by largest remainder (Hamilton's method), exact to the cent.

Each holder first gets the floor of their exact share `total * balance / supply`; the cents left over (fewer than
the number of holders) go one each to the holders with the largest remainders. So the amounts sum exactly to the
total and no holder is a cent or more away from their exact share. Ties in the remainder go to the smaller
balance-ordering key (the holder's id, ascending), so the same inputs always give the same amounts.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction


class AllocationError(ValueError):
    """A distribution that cannot be allocated; `code` is stable for the API and the CLI."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def allocate(total: int, balances: Mapping[str, int]) -> dict[str, int]:
    """Split `total` (integer smallest units, e.g. cents) over `balances` (holder → units held) pro rata.
    Holders with a zero balance get nothing and are left out of the answer."""
    if total <= 0:
        raise AllocationError("DISTRIBUTION_TOTAL_NOT_POSITIVE", f"the total must be positive, got {total}")
    if any(b < 0 for b in balances.values()):
        raise AllocationError("NEGATIVE_BALANCE", "a balance is negative")
    holders = {h: b for h, b in balances.items() if b > 0}
    supply = sum(holders.values())
    if supply == 0:
        raise AllocationError("NO_HOLDERS", "nobody holds the project at the snapshot")
    amounts: dict[str, int] = {}
    remainders: list[tuple[int, str]] = []
    for holder, balance in holders.items():
        share, remainder = divmod(total * balance, supply)
        amounts[holder] = share
        remainders.append((remainder, holder))
    left = total - sum(amounts.values())
    # largest remainder first; among equal remainders the smaller holder key first
    remainders.sort(key=lambda r: (-r[0], r[1]))
    for _, holder in remainders[:left]:
        amounts[holder] += 1
    return amounts


def exact_share(total: int, balance: int, supply: int) -> Fraction:
    """The exact pro-rata share, for checking an allocation (never for paying)."""
    return Fraction(total * balance, supply)
