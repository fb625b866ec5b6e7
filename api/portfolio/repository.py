"""SQL of the portfolio and returns: a user's addresses, their indexed balances with the project figures, their
investments in flight, and the recorded distributions with the flows needed to estimate balances at a snapshot."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from sqlalchemy import Row, select, text
from sqlalchemy.orm import Session, sessionmaker

from core.models import CustodialAccount, Investment, Project, UserWallet

AddressKind = Literal["custodial", "wallet"]
IN_FLIGHT = ("pending_payment", "paid", "minting")  # money asked for or received, tokens not indexed yet
ZERO_ADDRESS = "0x" + "0" * 40


@contextmanager
def snapshot(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A read-only REPEATABLE READ transaction: every statement (and the checkpoint in `meta`) sees one commit of
    the indexer, so holdings, distributions and indexed_block agree with each other."""
    session = sessions()
    try:
        session.connection(execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True})
        yield session
    finally:
        session.rollback()
        session.close()


@dataclass(frozen=True)
class UserAddress:
    address: str
    kind: AddressKind


def user_addresses(session: Session, user_id: uuid.UUID) -> list[UserAddress]:
    """The custodial address (once the relayer derived it) first, then the linked wallets in linking order."""
    custodial = session.scalar(
        select(CustodialAccount.address).where(
            CustodialAccount.user_id == user_id, CustodialAccount.address.is_not(None)
        )
    )
    wallets = session.scalars(
        select(UserWallet.address)
        .where(UserWallet.user_id == user_id)
        .order_by(UserWallet.linked_at, UserWallet.address)
    ).all()
    found = [UserAddress(custodial.lower(), "custodial")] if custodial else []
    return found + [UserAddress(w.lower(), "wallet") for w in wallets if w.lower() != (custodial or "").lower()]


_HOLDINGS = text(
    """
    SELECT b.project_id, b.holder, b.balance, p.supply_cap, p.exited, COALESCE(f.amount, 0) AS frozen,
           c.name, c.technology
    FROM chain_balances b
    JOIN chain_projects p ON p.chain_id = b.chain_id AND p.project_id = b.project_id
    LEFT JOIN chain_frozen f ON f.chain_id = b.chain_id AND f.project_id = b.project_id AND f.account = b.holder
    LEFT JOIN projects c ON c.chain_id = b.chain_id AND c.token_id = b.project_id
    WHERE b.chain_id = :chain AND b.holder = ANY(:addresses) AND b.balance > 0
    ORDER BY b.project_id, b.holder
    """
)


def holdings(session: Session, chain_id: int, addresses: Sequence[str]) -> Sequence[Row[tuple[object, ...]]]:
    """One row per (project, address) holding a balance, with the project's cap, exit flag, catalogue name and the
    address's frozen amount."""
    if not addresses:
        return []
    return session.execute(_HOLDINGS, {"chain": chain_id, "addresses": list(addresses)}).all()


@dataclass(frozen=True)
class PendingRow:
    id: uuid.UUID
    project_id: Decimal
    name: str | None
    amount_cents: int
    method: str
    status: str
    created_at: datetime


def pending_investments(session: Session, user_id: uuid.UUID, wallets: Sequence[str]) -> list[PendingRow]:
    """The user's investments whose tokens are not indexed yet (by account, or paid from one of their wallets)."""
    investor = Investment.investor_user_id == user_id
    if wallets:
        investor = investor | Investment.investor_wallet.in_(list(wallets))
    rows = session.execute(
        select(
            Investment.id,
            Investment.project_id,
            Project.name,
            Investment.amount_cents,
            Investment.method,
            Investment.status,
            Investment.created_at,
        )
        .outerjoin(Project, (Project.chain_id == Investment.chain_id) & (Project.token_id == Investment.project_id))
        .where(investor, Investment.status.in_(IN_FLIGHT))
        .order_by(Investment.created_at, Investment.id)
    ).all()
    return [PendingRow(*r) for r in rows]


# The balance of the user's addresses (and the supply) at a distribution's snapshot block = now minus what flowed
# in after it. The transfer series holds every movement since the deploy block, so this is exact for any snapshot
# the index reaches; movements between the user's own addresses cancel out.
_DISTRIBUTIONS = text(
    """
    WITH d AS (
        SELECT project_id, distribution_id, total_amount, merkle_root, snapshot_block, block_number, tx_hash,
               block_time, final
        FROM chain_distributions WHERE chain_id = :chain
    ), after AS (
        SELECT d.project_id, d.distribution_id,
               COALESCE(sum(t.amount) FILTER (WHERE t.to_address = ANY(:addresses)), 0)
             - COALESCE(sum(t.amount) FILTER (WHERE t.from_address = ANY(:addresses)), 0) AS user_inflow,
               COALESCE(sum(t.amount) FILTER (WHERE t.from_address = :zero), 0)
             - COALESCE(sum(t.amount) FILTER (WHERE t.to_address = :zero), 0) AS supply_inflow
        FROM d JOIN chain_transfer_series t
          ON t.chain_id = :chain AND t.project_id = d.project_id AND t.block_number > d.snapshot_block
        GROUP BY d.project_id, d.distribution_id
    ), held AS (
        SELECT project_id, sum(balance) AS balance FROM chain_balances
        WHERE chain_id = :chain AND holder = ANY(:addresses) GROUP BY project_id
    )
    SELECT d.project_id, d.distribution_id, d.total_amount, d.merkle_root, d.snapshot_block, d.block_number,
           d.tx_hash, d.block_time, d.final, c.name, p.minted,
           COALESCE(h.balance, 0) AS balance_now,
           COALESCE(a.user_inflow, 0) AS user_inflow, COALESCE(a.supply_inflow, 0) AS supply_inflow
    FROM d
    JOIN chain_projects p ON p.chain_id = :chain AND p.project_id = d.project_id
    LEFT JOIN projects c ON c.chain_id = :chain AND c.token_id = d.project_id
    LEFT JOIN held h ON h.project_id = d.project_id
    LEFT JOIN after a ON a.project_id = d.project_id AND a.distribution_id = d.distribution_id
    ORDER BY d.block_number DESC, d.project_id, d.distribution_id
    """
)


def distributions(session: Session, chain_id: int, addresses: Sequence[str]) -> Sequence[Row[tuple[object, ...]]]:
    """Every recorded distribution of the chain with the user's balance now, the net flow into the user's addresses
    after the snapshot and the net minting after it; the service keeps those the user holds or held at the
    snapshot."""
    params = {"chain": chain_id, "addresses": list(addresses), "zero": ZERO_ADDRESS}
    return session.execute(_DISTRIBUTIONS, params).all()
