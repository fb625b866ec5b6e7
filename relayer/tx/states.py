"""A transaction's statuses and the view callers read.

queued     stored, no nonce yet (enqueued inside the caller's database transaction).
signed     nonce assigned and the signed raw transaction committed; maybe broadcast (a crash can come between).
broadcast  sent to the node at least once; not yet seen in a block.
mined      in a block with status 1, with at least `confirmations` blocks; followed until final.
final      mined at or below the finalized block: it will not change.
reverted   in a block with status 0 (`revert_reason` decoded), or refused at gas estimation without taking a nonce
           (`nonce` None, `tx_hash` None). Never retried; followed to finality like a mined one (`is_final`), and
           back to broadcast if a reorg drops its block before that.
cancelled  not sent: `still_needed` said no before it took a nonce, or its nonce was used by a 0-value self-transfer
           (`nonce` and `tx_hash` set then: the self-transfer's hash).
dropped    its nonce was used by a transaction that is none of its attempts (the key was used elsewhere): the call
           never ran; the caller may enqueue it again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

QUEUED, SIGNED, BROADCAST, MINED, FINAL, REVERTED, CANCELLED, DROPPED = (
    "queued",
    "signed",
    "broadcast",
    "mined",
    "final",
    "reverted",
    "cancelled",
    "dropped",
)
IN_FLIGHT = (SIGNED, BROADCAST)  # hold a nonce, not yet seen in a block
IN_BLOCK = (MINED, REVERTED)  # seen in a block; followed until final or dropped by a reorg
UNFINISHED = (QUEUED, *IN_FLIGHT)  # what the stuck list looks at
CANCEL_PURPOSE = "nonce_filler"  # the purpose of rows the manager adds itself to fill a nonce gap


@dataclass(frozen=True)
class TxView:
    id: uuid.UUID
    sender: str
    to: str
    purpose: str
    status: str
    nonce: int | None
    tx_hash: str | None  # the latest attempt's hash (or the mined one's once mined)
    attempt_hashes: tuple[str, ...]  # every signed attempt, oldest first
    block_number: int | None
    block_hash: str | None
    gas_used: int | None
    revert_reason: str | None  # decoded, e.g. "SupplyCapExceeded(1, 100, 200)"
    revert_data: str | None  # 0x-hex, when the node gave it
    created_at: datetime
    updated_at: datetime
    signed_at: datetime | None
    broadcast_at: datetime | None
    mined_at: datetime | None
    final_at: datetime | None

    @property
    def is_final(self) -> bool:
        """Whether this outcome can no longer change: final, dropped, or reverted / cancelled either without a nonce
        (refused at estimation, not needed before signing) or in a block past finality."""
        if self.status in (FINAL, DROPPED):
            return True
        # A reverted or cancelled one without a nonce never reached the chain; with one, its block must be final.
        return self.status in (REVERTED, CANCELLED) and (self.final_at is not None or self.nonce is None)
