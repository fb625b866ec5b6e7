"""What an investment's facts and its mint call for: the status to show and the actions still owed. Pure.

Facts only ever grow (a payment succeeds once, a refund amount only rises, a dispute closes once), so deriving
the status from them gives the same answer whatever order Stripe's events arrived in and however often each came.
The chain's side is the mint's state as the outbox and the index show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Mint(Enum):
    NONE = "none"  # no intent, or its intent was cancelled / failed
    PENDING = "pending"  # intent waiting for the worker: can still be cancelled
    SUBMITTED = "submitted"  # handed to the transaction manager: may land on chain any moment
    INDEXED = "indexed"  # the index has the InvestmentMinted
    FINAL = "final"  # ... in a block past finality

    @property
    def on_chain(self) -> bool:
        return self in (Mint.INDEXED, Mint.FINAL)


@dataclass(frozen=True)
class Facts:
    amount_cents: int
    paid: bool  # the payment succeeded (a refund or a dispute implies it did)
    failures: int = 0  # declined attempts (a later attempt may still succeed)
    cancelled: bool = False
    refunded_cents: int = 0
    dispute: str | None = None  # open | won | lost
    failure_reason: str | None = None  # the mint can never happen: a revert, a flagged payment
    mint: Mint = Mint.NONE
    clawed_back: bool = False


@dataclass(frozen=True)
class Owed:
    """What the relayer still has to do for the investment."""

    status: str
    mint: bool = False  # create the mint intent
    cancel_mint: bool = False  # cancel a pending intent
    freeze_changed: bool = False  # recompute the (account, project) frozen amount
    clawback: bool = False  # forcedTransfer the tokens back to the treasury
    refund: bool = False  # ask Stripe to refund (card) or flag a refund owed (crypto)
    flag: str | None = None  # a reason an admin must see


def owed(f: Facts) -> Owed:
    fully_refunded = f.refunded_cents >= f.amount_cents
    partly_refunded = 0 < f.refunded_cents < f.amount_cents
    partial = "partial_refund" if partly_refunded else None
    if f.mint.on_chain:
        settled = "final" if f.mint is Mint.FINAL else "completed"
        if fully_refunded or f.dispute == "lost":
            # the freeze level drops this investment too, or the account's other tokens would stay frozen
            status = "refunded" if f.clawed_back else "disputed" if f.dispute == "lost" else settled
            return Owed(status, clawback=True, freeze_changed=f.dispute is not None)
        if f.dispute == "open":
            return Owed("disputed", freeze_changed=True, flag=partial)
        # a dispute won releases the freeze; recomputing the level is harmless when there never was one
        return Owed(settled, freeze_changed=f.dispute == "won", flag=partial)
    if f.mint is Mint.SUBMITTED:
        # on its way to the chain: nothing can stop it; once indexed, a refund or dispute claws it back
        return Owed("minting", flag=partial)
    blocked = f.refunded_cents > 0 or f.dispute in ("open", "lost") or f.cancelled or f.failure_reason is not None
    cancel = f.mint is Mint.PENDING and blocked
    if f.refunded_cents > 0 or f.dispute == "lost":
        return Owed("refunded", cancel_mint=cancel, flag=partial)
    if f.dispute == "open" and f.paid:
        return Owed("disputed", cancel_mint=cancel)
    if f.failure_reason is not None:
        return Owed("failed", cancel_mint=cancel, refund=f.paid)
    if f.cancelled and not f.paid:
        return Owed("cancelled", cancel_mint=cancel)
    if f.paid:
        return Owed("paid", mint=f.mint is Mint.NONE)
    return Owed("failed" if f.failures else "pending_payment")
