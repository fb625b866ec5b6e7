"""Which nonce comes next and which nonces are gaps to fill, from what is stored and what the chain says. Pure.

The stored rows are the truth about what we built; the chain is the truth about what was used. A nonce below the
chain's `latest` count is used whatever we think; the pending count may be above ours when something else holds
pool slots for the key (another process, a previous database): the next nonce never reuses those. A nonce at or
above `latest` that no row holds is a gap: the chain would never run anything above it, so it is filled."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass


@dataclass(frozen=True)
class NoncePlan:
    next_nonce: int  # the nonce the next queued transaction gets
    gaps: tuple[int, ...]  # nonces in [chain latest, next_nonce) held by no row: fill each (a 0-value self-transfer)


def plan_nonces(held: Collection[int], chain_latest: int, chain_pending: int) -> NoncePlan:
    """`held`: the nonces our rows hold (any status). `chain_latest` / `chain_pending`: the sender's transaction
    count at the `latest` and `pending` tags."""
    ours = max(held) + 1 if held else 0
    next_nonce = max(ours, chain_latest, chain_pending)
    taken = set(held)
    gaps = tuple(n for n in range(chain_latest, ours) if n not in taken)
    return NoncePlan(next_nonce, gaps)
