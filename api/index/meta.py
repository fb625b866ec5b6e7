"""`meta` for answers that read chain state: the block the mirror reached, its hash and the finalized block, so
that a client can tell how fresh an answer is (DESIGN.md)."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

from api.envelope import ChainMeta, Envelope
from api.index.repository import checkpoint

T = TypeVar("T")


def chain_meta(session: Session, chain_id: int | None) -> ChainMeta:
    """Read in the same transaction as the answer's rows, so the figures describe exactly what was read."""
    row = checkpoint(session, chain_id)
    if row is None:
        return ChainMeta(indexed_block=None, block_hash=None, finalized_block=None)
    finalized = row.finalized_block if row.finalized_block >= 0 else None
    return ChainMeta(indexed_block=row.block_number, block_hash=row.block_hash, finalized_block=finalized)


def chain_envelope(data: T, chain: ChainMeta) -> Envelope[T, ChainMeta]:
    return Envelope[T, ChainMeta](data=data, meta=chain)
