"""All SQL of the transaction manager. Functions take a Session and never commit: the caller (the lead's outbox
job for `enqueue_transaction`, the manager's step for the rest) owns the transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from core.models.relayer_transactions import RelayerTransaction, RelayerTransactionAttempt
from relayer.tx.fees import Fees
from relayer.tx.states import IN_FLIGHT, QUEUED, UNFINISHED, TxView


class TransactionNotFound(LookupError):
    """No stored transaction has this id."""


def enqueue_transaction(
    session: Session,
    *,
    sender: str,
    to: str,
    data: bytes,
    purpose: str,
    gas_limit: int | None = None,
    value: int = 0,
) -> uuid.UUID:
    """Store a call to send from `sender`, status queued, no nonce yet; returns its stable internal id."""
    tx_id = uuid.uuid4()
    session.add(
        RelayerTransaction(
            id=tx_id,
            sender=sender.lower(),
            to_address=to.lower(),
            data=bytes(data),
            value=Decimal(value),
            purpose=purpose,
            gas_limit=gas_limit,
            status=QUEUED,
        )
    )
    session.flush()
    return tx_id


def _attempts(session: Session, tx_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[RelayerTransactionAttempt]]:
    found: dict[uuid.UUID, list[RelayerTransactionAttempt]] = {i: [] for i in tx_ids}
    if not tx_ids:
        return found
    rows = session.scalars(
        select(RelayerTransactionAttempt)
        .where(RelayerTransactionAttempt.transaction_id.in_(tx_ids))
        .order_by(RelayerTransactionAttempt.transaction_id, RelayerTransactionAttempt.number)
    )
    for attempt in rows:
        found[attempt.transaction_id].append(attempt)
    return found


def view_of(row: RelayerTransaction, attempts: Sequence[RelayerTransactionAttempt]) -> TxView:
    return TxView(
        id=row.id,
        sender=row.sender,
        to=row.to_address,
        purpose=row.purpose,
        status=row.status,
        nonce=row.nonce,
        tx_hash=row.mined_hash or row.current_hash,
        attempt_hashes=tuple(a.tx_hash for a in attempts),
        block_number=row.block_number,
        block_hash=row.block_hash,
        gas_used=row.gas_used,
        revert_reason=row.revert_reason,
        revert_data=row.revert_data,
        created_at=row.created_at,
        updated_at=row.updated_at,
        signed_at=row.signed_at,
        broadcast_at=row.broadcast_at,
        mined_at=row.mined_at,
        final_at=row.final_at,
    )


def _views(session: Session, rows: Sequence[RelayerTransaction]) -> list[TxView]:
    attempts = _attempts(session, [r.id for r in rows])
    return [view_of(r, attempts[r.id]) for r in rows]


def get_transaction(session: Session, tx_id: uuid.UUID) -> TxView:
    row = session.get(RelayerTransaction, tx_id, populate_existing=True)
    if row is None:
        raise TransactionNotFound(f"no relayer transaction {tx_id}")
    return _views(session, [row])[0]


def transactions_of(session: Session, sender: str) -> list[TxView]:
    """Every transaction of `sender`, in queue order (for tests and reports)."""
    rows = session.scalars(
        select(RelayerTransaction).where(RelayerTransaction.sender == sender.lower()).order_by(RelayerTransaction.seq)
    ).all()
    return _views(session, rows)


def stuck_transactions(session: Session, now: datetime, deadline: timedelta) -> list[TxView]:
    """Transactions still queued, signed or broadcast that were stored more than `deadline` before `now`."""
    rows = session.scalars(
        select(RelayerTransaction)
        .where(RelayerTransaction.status.in_(UNFINISHED), RelayerTransaction.created_at < now - deadline)
        .order_by(RelayerTransaction.seq)
    ).all()
    return _views(session, rows)


# ----- the manager's side ------------------------------------------------------------------------


def lock_sender(session: Session, sender: str) -> None:
    """Serialise nonce decisions for one key across processes until this transaction ends."""
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"relayer-tx:{sender.lower()}"})


def first_queued(session: Session, sender: str) -> RelayerTransaction | None:
    return session.scalars(
        select(RelayerTransaction)
        .where(RelayerTransaction.sender == sender.lower(), RelayerTransaction.status == QUEUED)
        .order_by(RelayerTransaction.seq)
        .limit(1)
        .with_for_update()
    ).first()


def held_nonces(session: Session, sender: str, at_least: int) -> list[int]:
    """The nonces rows hold from `at_least` up, and the highest nonce held (whatever it is): all the nonce rule
    needs, read through the (sender, nonce) index instead of the whole history."""
    mine = RelayerTransaction.sender == sender.lower()
    rows = session.scalars(select(RelayerTransaction.nonce).where(mine, RelayerTransaction.nonce >= at_least))
    found = [n for n in rows if n is not None]
    highest = session.scalar(select(func.max(RelayerTransaction.nonce)).where(mine))
    return found if highest is None else [*found, highest]


def in_flight(session: Session, sender: str, statuses: Sequence[str] = IN_FLIGHT) -> list[RelayerTransaction]:
    """Rows holding a nonce and not yet seen in a block, lowest nonce first."""
    return list(
        session.scalars(
            select(RelayerTransaction)
            .where(RelayerTransaction.sender == sender.lower(), RelayerTransaction.status.in_(statuses))
            .order_by(RelayerTransaction.nonce)
            .with_for_update()
        )
    )


def in_block_not_final(session: Session, sender: str) -> list[RelayerTransaction]:
    """Rows seen in a block (mined, reverted or a mined cancel) whose block is not final yet."""
    return list(
        session.scalars(
            select(RelayerTransaction)
            .where(
                RelayerTransaction.sender == sender.lower(),
                RelayerTransaction.block_hash.is_not(None),
                RelayerTransaction.final_at.is_(None),
            )
            .order_by(RelayerTransaction.nonce)
            .with_for_update()
        )
    )


def attempts_of(session: Session, row: RelayerTransaction) -> list[RelayerTransactionAttempt]:
    return _attempts(session, [row.id])[row.id]


def attempt(session: Session, tx_hash: str) -> RelayerTransactionAttempt | None:
    return session.get(RelayerTransactionAttempt, tx_hash)


def add_attempt(
    session: Session, row: RelayerTransaction, *, tx_hash: str, raw: bytes, fees: Fees, kind: str, now: datetime
) -> RelayerTransactionAttempt:
    """Store a signed attempt and make it the row's current one."""
    number = session.scalar(
        select(func.count())
        .select_from(RelayerTransactionAttempt)
        .where(RelayerTransactionAttempt.transaction_id == row.id)
    )
    new = RelayerTransactionAttempt(
        tx_hash=tx_hash.lower(),
        transaction_id=row.id,
        number=number or 0,
        kind=kind,
        raw=raw,
        max_fee_per_gas=Decimal(fees.max_fee_per_gas),
        max_priority_fee_per_gas=Decimal(fees.max_priority_fee_per_gas),
        created_at=now,
    )
    session.add(new)
    row.current_hash = new.tx_hash
    row.updated_at = now
    session.flush()
    return new


def add_filler(session: Session, sender: str, nonce: int, purpose: str, now: datetime) -> RelayerTransaction:
    """A row the manager adds itself to hold a nonce no other row holds (a 0-value self-transfer)."""
    row = RelayerTransaction(
        id=uuid.uuid4(),
        sender=sender.lower(),
        to_address=sender.lower(),
        data=b"",
        value=Decimal(0),
        purpose=purpose,
        gas_limit=21_000,
        status="signed",
        nonce=nonce,
        signed_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row
