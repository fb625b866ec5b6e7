"""SQL of the distribution routes: leaves, whose addresses they are, and what the index says was funded and claimed
(the Distributor's events as the indexer stored them)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from core.models.distributions import Distribution, UserDistribution
from core.models.investments import CustodialAccount
from core.models.wallets import UserWallet


@dataclass(frozen=True)
class ClaimSeen:
    tx_hash: str
    block_number: int
    at: datetime
    final: bool


def distribution(session: Session, distribution_id: int) -> Distribution | None:
    return session.get(Distribution, distribution_id)


def user_addresses(session: Session, user_id: uuid.UUID) -> list[str]:
    """The user's custodial address (once derived) and linked wallets, lowercase."""
    wallets = session.scalars(select(UserWallet.address).where(UserWallet.user_id == user_id)).all()
    custodial = session.scalar(select(CustodialAccount.address).where(CustodialAccount.user_id == user_id))
    return [*([custodial] if custodial else []), *wallets]


def leaves_of(session: Session, distribution_id: int, accounts: list[str]) -> list[UserDistribution]:
    if not accounts:
        return []
    return list(
        session.scalars(
            select(UserDistribution)
            .where(UserDistribution.distribution_id == distribution_id, UserDistribution.account.in_(accounts))
            .order_by(UserDistribution.account)
        ).all()
    )


def claim_seen(
    session: Session, chain_id: int, distributor: str, distribution_id: int, account: str
) -> ClaimSeen | None:
    row = session.execute(
        text("""SELECT tx_hash, block_number, block_time, final FROM chain_claims
                WHERE chain_id = :c AND contract = :d AND distribution_id = :id AND account = :a
                ORDER BY block_number LIMIT 1"""),
        {"c": chain_id, "d": distributor.lower(), "id": distribution_id, "a": account.lower()},
    ).first()
    return None if row is None else ClaimSeen(str(row[0]), int(row[1]), row[2], bool(row[3]))


def pool_events(session: Session, chain_id: int, distributor: str, distribution_id: int) -> set[str]:
    """Which of DistributionFunded / Swept the index holds for this distribution."""
    rows = session.execute(
        text("""SELECT DISTINCT event_name FROM chain_events
                WHERE chain_id = :c AND contract = :d AND event_name IN ('DistributionFunded', 'Swept')
                  AND args->>'distribution_id' = :id"""),
        {"c": chain_id, "d": distributor.lower(), "id": str(distribution_id)},
    ).all()
    return {str(r[0]) for r in rows}
