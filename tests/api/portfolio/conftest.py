"""Portfolio fixtures: users with a custodial address and linked wallets, a catalogue entry, and a synthetic chain
whose blocks go through the real indexer store (`apply_live_batch`: the same transaction, the same NOTIFY)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core.db.engine import make_session_factory
from core.models import CustodialAccount, Project, UserWallet
from indexer.store import apply_live_batch
from tests.api.conftest import Api
from tests.indexer.synthetic import CHAIN_ID, SyntheticChain, ref

HOLDERS = tuple("0x" + f"{0xA000 + i:040x}" for i in range(12))


@dataclass
class Ledger:
    """A synthetic chain indexed block by block: `commit([...events])` is one indexer batch, committed."""

    engine: Engine
    chain: SyntheticChain = field(default_factory=SyntheticChain)
    refs: int = 0

    def commit(self, events: list[tuple[str, str, dict[str, Any]]]) -> int:
        block = self.chain.add_block(events)
        number = block.header.number
        with make_session_factory(self.engine).begin() as session:
            apply_live_batch(session, self.chain.batch(number, number))
        return number

    def next_ref(self) -> str:
        self.refs += 1
        return ref(self.refs)

    def block_hash(self, number: int) -> str:
        return self.chain.blocks[number - 1].header.hash


@pytest.fixture
def ledger(clean_db: Engine) -> Iterator[Ledger]:
    yield Ledger(clean_db)


def give_custodial(engine: Engine, user_id: str, address: str | None) -> None:
    with Session(engine) as session, session.begin():
        session.add(CustodialAccount(user_id=uuid.UUID(user_id), address=address))


def link_wallet(engine: Engine, user_id: str, address: str) -> None:
    with Session(engine) as session, session.begin():
        session.add(UserWallet(address=address.lower(), user_id=uuid.UUID(user_id), kind="eoa", chain_id=CHAIN_ID))


def catalogue(engine: Engine, token_id: int, name: str, technology: str = "solar", target_cents: int = 1) -> None:
    with Session(engine) as session, session.begin():
        session.add(
            Project(chain_id=CHAIN_ID, token_id=token_id, name=name, technology=technology, target_cents=target_cents)
        )


@dataclass
class Investor:
    id: str
    token: str
    addresses: tuple[str, ...]


def investor(api: Api, custodial: str | None, *wallets: str) -> Investor:
    user, token = api.user_with_token()
    give_custodial(api.engine, user["id"], custodial)
    for wallet in wallets:
        link_wallet(api.engine, user["id"], wallet)
    return Investor(user["id"], token, tuple(a for a in (custodial, *wallets) if a))
