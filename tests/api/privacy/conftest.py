"""Rows a user's data is made of, written as the relayer and the indexer write them."""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core.investments import create_investment, set_status
from core.models import ChainBalance, CustodialAccount, UserWallet

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
