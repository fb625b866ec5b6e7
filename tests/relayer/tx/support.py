"""Helpers of the transaction manager tests: build a manager on the test database and chain, enqueue real mint
calls, drive it until nothing is left to do, and check what the chain holds against what was stored."""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from eth_account.signers.local import LocalAccount
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from web3 import Web3
from web3.contract import Contract

from core.chain.ownership import Mint, mint_call
from core.chain.payment_ref import payment_ref
from core.db.engine import make_session_factory
from relayer.tx.manager import StillNeeded, TransactionManager
from relayer.tx.repository import enqueue_transaction, get_transaction, transactions_of
from relayer.tx.settings import TxSettings
from relayer.tx.states import UNFINISHED, TxView

PROJECT = 1
CAP = 10_000_000
_refs = itertools.count()


def rpc(url: str, method: str, params: list[Any]) -> Any:
    body = httpx.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}, timeout=60).json()
    if "error" in body:
        raise RuntimeError(f"{method}: {body['error']}")
    return body["result"]


class Clock:
    """A clock the test moves, so that "not mined after N seconds" needs no waiting."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def manager(
    engine: Engine,
    w3: Web3,
    signer: LocalAccount,
    *,
    still_needed: StillNeeded | None = None,
    clock: Callable[[], datetime] | None = None,
    **settings: Any,
) -> TransactionManager:
    values: dict[str, Any] = {"replace_after": 3600.0, "finality_depth": 64} | settings
    return TransactionManager(
        make_session_factory(engine), w3, signer, TxSettings(**values), still_needed=still_needed, clock=clock
    )


def new_mint(investor: str, amount: int = 1_000, project: int = PROJECT) -> Mint:
    return Mint(project, investor, amount, payment_ref(f"tx-test-{uuid.uuid4()}-{next(_refs)}"))


def enqueue_mints(
    engine: Engine, ownership: Contract, minter: LocalAccount, mints: Iterable[Mint], gas_limit: int | None = None
) -> list[uuid.UUID]:
    """Each mint stored as the lead's outbox job would: in one database transaction of the caller's."""
    sessions: sessionmaker[Session] = make_session_factory(engine)
    with sessions.begin() as session:
        return [
            enqueue_transaction(
                session,
                sender=minter.address,
                to=ownership.address,
                data=bytes.fromhex(mint_call(ownership, m)._encode_transaction_data()[2:]),
                purpose="mint",
                gas_limit=gas_limit,
            )
            for m in mints
        ]


def views(engine: Engine, sender: str) -> list[TxView]:
    with make_session_factory(engine)() as session:
        return transactions_of(session, sender)


def view(engine: Engine, tx_id: uuid.UUID) -> TxView:
    with make_session_factory(engine)() as session:
        return get_transaction(session, tx_id)


def drive(
    mgr: TransactionManager,
    engine: Engine,
    done: Callable[[list[TxView]], bool] | None = None,
    deadline: float = 60.0,
) -> list[TxView]:
    """Tick until `done` (default: nothing queued, signed or broadcast); polls with a generous deadline."""
    check = done or (lambda rows: all(r.status not in UNFINISHED for r in rows))
    limit = time.monotonic() + deadline
    while True:
        mgr.tick()
        rows = views(engine, mgr.sender)
        if check(rows):
            return rows
        if time.monotonic() > limit:
            raise AssertionError(f"manager did not settle: {[(r.status, r.nonce) for r in rows]}")
        time.sleep(0.05)


def assert_each_mined_once(w3: Web3, rows: list[TxView], sender: str, first_nonce: int = 0) -> None:
    """Every row holding a nonce is in a canonical block with status 1, nonces are first_nonce.. without a gap, and
    the chain used exactly those nonces: no send beyond the stored ones, no nonce left behind."""
    with_nonce = sorted((r for r in rows if r.nonce is not None), key=lambda r: r.nonce or 0)
    assert [r.nonce for r in with_nonce] == list(range(first_nonce, first_nonce + len(with_nonce)))
    assert w3.eth.get_transaction_count(Web3.to_checksum_address(sender), "latest") == first_nonce + len(with_nonce)
    for r in with_nonce:
        assert r.status in ("mined", "final"), (r.status, r.revert_reason)
        assert r.tx_hash is not None and r.block_number is not None
        receipt = w3.eth.get_transaction_receipt(r.tx_hash)  # type: ignore[arg-type]
        assert receipt["status"] == 1
        assert receipt["blockHash"].to_0x_hex() == r.block_hash
        assert w3.eth.get_block(r.block_number)["hash"].to_0x_hex() == r.block_hash
        onchain = w3.eth.get_transaction(r.tx_hash)  # type: ignore[arg-type]
        assert onchain["nonce"] == r.nonce


def minted_once(ownership: Contract, mints: Iterable[Mint]) -> bool:
    """Each reference used and its investor's balance exactly the sum of their mints (none twice)."""
    mints = list(mints)
    expected: dict[tuple[str, int], int] = {}
    for m in mints:
        expected[(m.investor, m.project_id)] = expected.get((m.investor, m.project_id), 0) + m.amount
    used = all(ownership.functions.paymentRefUsed(m.payment_ref).call() for m in mints)
    balances = {k: ownership.functions.balanceOf(k[0], k[1]).call() for k in expected}
    return used and balances == expected
