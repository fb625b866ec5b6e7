"""The notification job against the session's real PostgreSQL and the FAKE SMTP sink over loopback: users,
investments moved as the relayer moves them (core.investments.set_status), distributions and transfers as the
indexer writes them."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from api.accounts import repository as accounts
from api.notifications.job import SendPolicy
from api.notifications.mailer import Mailer, SmtpConfig
from core.db.engine import make_session_factory
from core.investments import create_investment, get_investment, set_status
from core.models import ChainDistribution, ChainTransferRecord, CustodialAccount, User, UserWallet
from terra.local.smtp_sink import FakeSmtpSink

CHAIN_ID = 31337
ZERO = "0x" + "00" * 20
SENDER = "Terra Lumina <notifications@terralumina.test>"


def address() -> str:
    return "0x" + secrets.token_hex(20)


def tx() -> str:
    return "0x" + secrets.token_hex(32)


@dataclass
class World:
    engine: Engine
    sessions: sessionmaker[Session]

    def user(self, email: str | None = None, *, wallet_only: bool = False) -> uuid.UUID:
        with self.sessions.begin() as session:
            if wallet_only:  # signed in with SIWE alone: no email
                bare = User(email=None)
                session.add(bare)
                session.flush()
                return bare.id
            found = accounts.add_user(
                session,
                email=email or f"investor-{uuid.uuid4().hex[:8]}@example.org",
                password_hash="not-a-real-hash",
                country="DE",
                now=datetime.now(UTC),
            )
            assert found is not None
            return found.id

    def email_of(self, user_id: uuid.UUID) -> str:
        with self.sessions() as session:
            return str(session.execute(text("SELECT email FROM users WHERE id = :u"), {"u": user_id}).scalar())

    def investment(self, user_id: uuid.UUID, amount_cents: int = 2500, project_id: int = 1) -> uuid.UUID:
        with self.sessions.begin() as session:
            found = create_investment(
                session,
                chain_id=CHAIN_ID,
                project_id=project_id,
                amount_cents=amount_cents,
                method="card",
                user_id=user_id,
            )
            return found.id

    def move(self, investment_id: uuid.UUID, *statuses: str) -> None:
        for status in statuses:
            with self.sessions.begin() as session:
                found = get_investment(session, investment_id, lock=True)
                assert found is not None
                if status == "completed":
                    found.mint_tx_hash = tx()
                set_status(session, found, status, cause=f"test:{status}")

    def custodial(self, user_id: uuid.UUID) -> str:
        where = address()
        with self.sessions.begin() as session:
            session.add(CustodialAccount(user_id=user_id, address=where))
        return where

    def wallet(self, user_id: uuid.UUID) -> str:
        where = address()
        with self.sessions.begin() as session:
            session.add(UserWallet(address=where, user_id=user_id, chain_id=CHAIN_ID))
        return where

    def transfer(self, block: int, source: str, to: str, amount: int, project_id: int = 1) -> None:
        when = datetime(2026, 12, 1, tzinfo=UTC)
        with self.sessions.begin() as session:
            native = session.scalar(
                text("SELECT 1 FROM pg_partitioned_table WHERE partrelid = 'chain_transfer_series'::regclass")
            )
            if native:
                session.execute(
                    text(
                        "CREATE TABLE IF NOT EXISTS chain_transfer_series_y2026m12 PARTITION OF chain_transfer_series "
                        "FOR VALUES FROM ('2026-12-01 00:00:00+00') TO ('2027-01-01 00:00:00+00')"
                    )
                )
            session.add(
                ChainTransferRecord(
                    chain_id=CHAIN_ID,
                    block_time=when,
                    block_number=block,
                    block_hash=tx(),
                    log_index=0,
                    batch_index=0,
                    tx_hash=tx(),
                    operator=source,
                    from_address=source,
                    to_address=to,
                    project_id=Decimal(project_id),
                    amount=Decimal(amount),
                )
            )

    def distribution(self, block: int, snapshot: int, *, final: bool = True, project_id: int = 1) -> None:
        with self.sessions.begin() as session:
            session.add(
                ChainDistribution(
                    chain_id=CHAIN_ID,
                    project_id=Decimal(project_id),
                    distribution_id=Decimal(1),
                    total_amount=Decimal(1_000_000),
                    merkle_root=tx(),
                    snapshot_block=Decimal(snapshot),
                    block_number=block,
                    block_hash=tx(),
                    tx_hash=tx(),
                    log_index=0,
                    block_time=datetime.now(UTC),
                    final=final,
                )
            )

    def finalize_distributions(self) -> None:
        with self.sessions.begin() as session:
            session.execute(text("UPDATE chain_distributions SET final = true"))

    def outbox(self) -> list[dict[str, object]]:
        with self.sessions() as session:
            rows = session.execute(text("SELECT * FROM notifications ORDER BY id")).mappings()
            return [dict(r) for r in rows]


@pytest.fixture
def world(clean_db: Engine) -> World:
    return World(clean_db, make_session_factory(clean_db))


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[FakeSmtpSink]:
    with FakeSmtpSink(tmp_path / "mail") as running:
        yield running


def smtp_config(sink: FakeSmtpSink) -> SmtpConfig:
    return SmtpConfig(host=sink.host, port=sink.port, sender=SENDER, starttls=False, timeout=5.0)


@pytest.fixture
def mailer(sink: FakeSmtpSink) -> Iterator[Mailer]:
    m = Mailer(smtp_config(sink))
    yield m
    m.close()


POLICY = SendPolicy(max_attempts=3, retry_seconds=60.0)
