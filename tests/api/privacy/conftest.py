"""Rows a user's data is made of, written as the relayer and the indexer write them."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core.investments import create_investment, set_status
from core.models import ChainBalance, CustodialAccount, Distribution, Project, UserDistribution, UserWallet
from core.models.distributions import DISTRIBUTION_TYPES

CHAIN_ID = 31337


def address() -> str:
    return "0x" + secrets.token_hex(20)


def link_wallet(engine: Engine, user_id: str) -> str:
    wallet = address()
    with Session(engine) as session, session.begin():
        session.add(UserWallet(address=wallet, user_id=uuid.UUID(user_id), chain_id=CHAIN_ID))
    return wallet


def custodial(engine: Engine, user_id: str) -> str:
    where = address()
    with Session(engine) as session, session.begin():
        session.add(CustodialAccount(user_id=uuid.UUID(user_id), address=where))
    return where


def invest(engine: Engine, user_id: str, *statuses: str, amount_cents: int = 2500, project_id: int = 1) -> str:
    """A card investment of the user moved through `statuses` (each change recorded as the relayer does)."""
    with Session(engine) as session, session.begin():
        investment = create_investment(
            session,
            chain_id=CHAIN_ID,
            project_id=project_id,
            amount_cents=amount_cents,
            method="card",
            user_id=uuid.UUID(user_id),
        )
        for status in statuses:
            set_status(session, investment, status, cause=f"test:{status}")
        return str(investment.id)


def hold(engine: Engine, holder: str, balance: int, project_id: int = 1) -> None:
    with Session(engine) as session, session.begin():
        session.add(
            ChainBalance(chain_id=CHAIN_ID, project_id=Decimal(project_id), holder=holder, balance=Decimal(balance))
        )


def distribution_leaf(engine: Engine, user_id: str, account: str, amount_cents: int) -> None:
    """A recorded distribution (its project in the catalogue) with one leaf: the user's share at `account`."""
    with Session(engine) as session, session.begin():
        project = Project(
            chain_id=CHAIN_ID,
            token_id=Decimal(secrets.randbelow(10**9) + 1),
            name="Sun",
            technology="solar",
            target_cents=10**6,
        )
        session.add(project)
        session.flush()
        distribution = Distribution(
            project_id=project.id,
            chain_id=CHAIN_ID,
            token_id=project.token_id,
            distribution_date=date(2026, 12, 1),
            distribution_type=DISTRIBUTION_TYPES[0],
            total_cents=amount_cents,
            total_units=Decimal(amount_cents * 10**4),
            payout_token=address(),
            payout_decimals=6,
            snapshot_block=10,
            merkle_root="0x" + "ab" * 32,
            holder_count=1,
            claim_deadline=datetime(2027, 12, 1, tzinfo=UTC),
        )
        session.add(distribution)
        session.flush()
        session.add(
            UserDistribution(
                distribution_id=distribution.id,
                user_id=uuid.UUID(user_id),
                account=account,
                account_kind="custodial",
                balance=Decimal(100),
                amount_cents=amount_cents,
                amount_units=Decimal(amount_cents * 10**4),
                tree_index=0,
                proof=[],
            )
        )
