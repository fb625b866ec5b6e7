"""Helpers of the investments tests: catalogue and indexed projects written straight to the database (the indexer
and the admin routes are tested elsewhere), KYC set directly (the KYC flow is its own), linked wallets, and
investments placed through the API."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from core.investments import create_investment, set_status
from core.models import ChainProject, Project, UserWallet
from tests.api.conftest import Api, bearer

CHAIN_ID = 31337


def add_project(
    engine: Engine,
    token_id: int,
    cap_cents: int,
    *,
    minted: int = 0,
    min_cents: int = 1000,
    chain_id: int = CHAIN_ID,
    on_chain: bool = True,
    exited: bool = False,
) -> uuid.UUID:
    """A catalogue project and (unless `on_chain` is false) its indexed twin with `minted` units."""
    with Session(engine) as session, session.begin():
        project = Project(
            chain_id=chain_id,
            token_id=Decimal(token_id),
            name=f"Solar park {token_id}",
            technology="solar",
            target_cents=cap_cents,
            min_investment_cents=min_cents,
            status="construction",
        )
        session.add(project)
        if on_chain:
            session.add(
                ChainProject(
                    chain_id=chain_id,
                    project_id=Decimal(token_id),
                    supply_cap=Decimal(cap_cents),
                    minted=Decimal(minted),
                    metadata_cid="bafy-test",
                    exited=exited,
                    created_block=1,
                    created_tx="0x" + "11" * 32,
                )
            )
        session.flush()
        return project.id


def verify_kyc(engine: Engine, user_id: str) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE users SET kyc_status = 'verified' WHERE id = :id"), {"id": user_id})


def link_wallet(engine: Engine, user_id: str, address: str) -> None:
    with Session(engine) as session, session.begin():
        session.add(UserWallet(address=address.lower(), user_id=uuid.UUID(user_id), chain_id=CHAIN_ID))


def investor(api: Api, *, kyc: bool = True) -> tuple[dict[str, Any], dict[str, str]]:
    """A registered user (KYC verified unless told otherwise) and the headers that authenticate them."""
    user, token = api.user_with_token()
    if kyc:
        verify_kyc(api.engine, user["id"])
    return user, bearer(token)


def past_investment(
    engine: Engine,
    user_id: str,
    token_id: int,
    cents: int,
    *,
    status: str = "completed",
    age: timedelta = timedelta(0),
    reserved_for: timedelta | None = None,
) -> uuid.UUID:
    """An investment as if made earlier and moved to `status` by the relayer."""
    now = datetime.now(UTC)
    with Session(engine) as session, session.begin():
        inv = create_investment(
            session,
            chain_id=CHAIN_ID,
            project_id=token_id,
            amount_cents=cents,
            method="card",
            user_id=uuid.UUID(user_id),
            reserved_until=None if reserved_for is None else now + reserved_for,
        )
        set_status(session, inv, status, "test")
        inv.created_at = now - age
        return inv.id


def count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608 - fixed names


def invest(api: Api, headers: dict[str, str], project_id: uuid.UUID, **body: Any) -> Any:
    payload: dict[str, Any] = {"project_id": str(project_id), "method": "card"} | body
    return api.client.post("/api/v1/investments", json=payload, headers=headers)
