"""What the index says of a distribution's payouts: per leaf whether it was claimed, when and in which transaction
(the Distributor's Claimed events, through the `chain_claims` view), and the pool's totals (funded, claimed, swept).
Read-only; the API's returns and the relayer's passes both read these."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

# Each leaf with its claim, if any: the earliest Claimed of (chain, distribution, account), one query.
_LEAVES = """
SELECT l.id, l.distribution_id, l.account, l.account_kind, l.user_id, l.amount_cents, l.amount_units,
       c.tx_hash, c.block_number, c.block_time, c.final
  FROM user_distributions l
  JOIN distributions d ON d.id = l.distribution_id
  LEFT JOIN LATERAL (
        SELECT tx_hash, block_number, block_time, final FROM chain_claims c
         WHERE c.chain_id = d.chain_id AND c.distribution_id = d.id AND c.account = l.account
         ORDER BY c.block_number, c.log_index LIMIT 1
  ) c ON true
 WHERE {where}
 ORDER BY l.distribution_id, l.tree_index
"""


@dataclass(frozen=True)
class LeafClaim:
    leaf_id: uuid.UUID
    distribution_id: int
    account: str
    account_kind: str
    user_id: uuid.UUID | None
    amount_cents: int
    amount_units: int
    claim_tx_hash: str | None
    claim_block: int | None
    claimed_at: datetime | None
    final: bool  # the claim is past finality (False while unclaimed)

    @property
    def claimed(self) -> bool:
        return self.claim_tx_hash is not None


def _leaves(session: Session, where: str, **params: object) -> list[LeafClaim]:
    rows = session.execute(text(_LEAVES.format(where=where)), params).all()
    return [
        LeafClaim(r[0], int(r[1]), r[2], r[3], r[4], int(r[5]), int(r[6]), r[7], r[8], r[9], bool(r[10])) for r in rows
    ]


def claims_of(session: Session, distribution_id: int) -> list[LeafClaim]:
    """Every leaf of a distribution, in tree order, with its claim from the index."""
    return _leaves(session, "l.distribution_id = :d", d=distribution_id)


def claims_of_user(session: Session, user_id: uuid.UUID) -> list[LeafClaim]:
    """Every leaf of a user (custodial addresses and linked wallets), with its claim from the index."""
    return _leaves(session, "l.user_id = :u", u=user_id)


@dataclass(frozen=True)
class PoolTotals:
    """A distribution's pool as the index shows it, in the payout token's smallest unit."""

    funded: int | None  # DistributionFunded's total; None while not funded
    funded_root: str | None
    claimed: int
    claims: int
    swept: int | None  # None while not swept

    @property
    def unclaimed(self) -> int | None:
        """What the Distributor still holds for it (nothing once swept)."""
        if self.funded is None:
            return None
        return 0 if self.swept is not None else self.funded - self.claimed


def pool_totals(session: Session, chain_id: int, distribution_id: int) -> PoolTotals:
    row = session.execute(
        text("""
            SELECT
              (SELECT (args->>'total')::numeric FROM chain_events
                WHERE chain_id = :c AND event_name = 'DistributionFunded'
                  AND (args->>'distribution_id')::numeric(78, 0) = :d ORDER BY block_number LIMIT 1),
              (SELECT args->>'merkle_root' FROM chain_events
                WHERE chain_id = :c AND event_name = 'DistributionFunded'
                  AND (args->>'distribution_id')::numeric(78, 0) = :d ORDER BY block_number LIMIT 1),
              (SELECT coalesce(sum(amount), 0) FROM chain_claims WHERE chain_id = :c AND distribution_id = :d),
              (SELECT count(*) FROM chain_claims WHERE chain_id = :c AND distribution_id = :d),
              (SELECT sum((args->>'amount')::numeric) FROM chain_events
                WHERE chain_id = :c AND event_name = 'Swept' AND (args->>'distribution_id')::numeric(78, 0) = :d)
        """),
        {"c": chain_id, "d": distribution_id},
    ).one()
    funded, root, claimed, count, swept = row
    return PoolTotals(
        None if funded is None else int(funded),
        root,
        int(claimed),
        int(count),
        None if swept is None else int(swept),
    )
