"""The SQL readiness needs: a round trip, and the age of the indexer's newest checkpoint by the database's clock."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class CheckpointAge:
    chain_id: int
    block_number: int
    age_seconds: float


def ping(session: Session) -> None:
    session.execute(text("SELECT 1"))


def newest_checkpoint_age(session: Session, chain_id: int | None) -> CheckpointAge | None:
    """The indexer stores no head of its own (only its checkpoint, written with each batch): how long ago it last
    wrote one is the lag we can see from here."""
    where = "WHERE chain_id = :chain_id" if chain_id is not None else ""
    row = session.execute(
        text(
            "SELECT chain_id, block_number, EXTRACT(EPOCH FROM (now() - updated_at)) AS age "
            f"FROM chain_checkpoints {where} ORDER BY updated_at DESC LIMIT 1"
        ),
        {"chain_id": chain_id} if chain_id is not None else {},
    ).first()
    return None if row is None else CheckpointAge(int(row[0]), int(row[1]), max(0.0, float(row[2])))
