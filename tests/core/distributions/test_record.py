"""Recording a distribution from the real index: anvil with mints and transfers, the indexer mirroring it, the
snapshot read at a final block. Amounts are checked against `balanceOf` on chain at the snapshot block; every
refusal writes nothing; a reorg below the snapshot is refused by the indexer (it halts), so the snapshot stands."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from core.chain.compiler import Build
from core.db.engine import make_engine
from core.distributions.allocation import allocate
from core.distributions.merkle import verify
from core.distributions.record import (
    LEAF_ENCODING,
    DistributionRefused,
    DistributionRequest,
    PayoutToken,
    record_distribution,
)
from core.models.catalogue import Project
from core.models.distributions import Distribution, UserDistribution
from indexer.errors import ReorgBeyondFinality
from indexer.settings import IndexerSettings
from tests.indexer.mirror_support import (
    Activity,
    PrivateChain,
    indexer_settings,
    mine,
    reorg,
    rpc,
    start_private_chain,
    sync_until_head,
)
from tests.relayer.support import drop_database, fresh_database

CHAIN_ID = 31337
PAYOUT = PayoutToken("0x" + "ab" * 20, 6)
FINALITY = 70  # blocks mined to put what came before below anvil's finalized tag


@dataclass
class World:
    chain: PrivateChain
    engine: Engine
    settings: IndexerSettings
    project: uuid.UUID
    empty_project: uuid.UUID
    snapshot: int
    custodial_user: uuid.UUID
    wallet_user: uuid.UUID


def _catalogue(session: Session, token_id: int) -> uuid.UUID:
    now = datetime.now(UTC)
    row = Project(
        chain_id=CHAIN_ID,
        token_id=Decimal(token_id),
        name=f"Project {token_id}",
        technology="solar",
        target_cents=10**12,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row.id


def _user(session: Session) -> uuid.UUID:
    user_id = uuid.uuid4()
    session.execute(
        text("INSERT INTO users (id, email, country) VALUES (:id, :email, 'DE')"),
        {"id": user_id, "email": f"{user_id.hex[:8]}@example.org"},
    )
    return user_id


@pytest.fixture(scope="module")
def world(build: Build, database_url: str) -> Iterator[World]:
    chain = start_private_chain(build)
    url = fresh_database(database_url)
    engine = make_engine(url)
    try:
        activity = Activity(chain, "distribution")
        activity.setup()  # investors 0-2 hold 1,000,000 units of projects 1-3
        inv = chain.investors
        activity.send(activity.mint(1, inv[3].address, 333_333))
        activity.send(activity.transfer(inv[0], inv[4].address, 1, 250_001))
        from core.chain.transactions import transact

        transact(
            chain.w3,
            chain.admin,
            chain.contracts.ownership.functions.createProject(
                4, 10**9, "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"
            ),
        )
        snapshot = int(chain.head()["number"], 16)
        activity.send(activity.transfer(inv[1], inv[5].address, 1, 500_000))  # after the snapshot
        mine(chain.url, FINALITY)
        settings = indexer_settings(url, chain.url, chain.deployments_dir)
        sync_until_head(settings, engine)
        with Session(engine) as session, session.begin():
            project, empty = _catalogue(session, 1), _catalogue(session, 4)
            custodial_user, wallet_user = _user(session), _user(session)
            session.execute(
                text("INSERT INTO custodial_accounts (user_id, address) VALUES (:u, :a)"),
                {"u": custodial_user, "a": inv[3].address.lower()},
            )
            session.execute(
                text("INSERT INTO user_wallets (address, user_id, kind, chain_id) VALUES (:a, :u, 'eoa', 31337)"),
                {"u": wallet_user, "a": inv[4].address.lower()},
            )
        yield World(chain, engine, settings, project, empty, snapshot, custodial_user, wallet_user)
    finally:
        engine.dispose()
        drop_database(url)
        chain.anvil.stop()


@pytest.fixture
def session(world: World) -> Iterator[Session]:
    """A transaction rolled back after the test: every test starts from the same recorded nothing."""
    with Session(world.engine) as s:
        s.begin()
        yield s
        s.rollback()


def chain_balances_at(world: World, token_id: int, block: int) -> dict[str, int]:
    own = world.chain.contracts.ownership
    holders = [i.address for i in world.chain.investors]
    found = {a.lower(): int(own.functions.balanceOf(a, token_id).call(block_identifier=block)) for a in holders}
    return {a: b for a, b in found.items() if b > 0}


def test_amounts_follow_the_balances_on_chain_at_the_snapshot_block(world: World, session: Session) -> None:
    request = DistributionRequest(world.project, 1_234_567, "quarterly", snapshot_block=world.snapshot)
    recorded = record_distribution(session, request, PAYOUT)
    d = recorded.distribution
    on_chain = chain_balances_at(world, 1, world.snapshot)
    expected = allocate(1_234_567, on_chain)
    assert {leaf.account: leaf.amount_cents for leaf in recorded.leaves} == expected
    assert sum(leaf.amount_cents for leaf in recorded.leaves) == d.total_cents == 1_234_567
    assert int(d.total_units) == 1_234_567 * 10**4 == sum(int(leaf.amount_units) for leaf in recorded.leaves)
    assert d.snapshot_block == world.snapshot and d.holder_count == len(on_chain)
    root = bytes.fromhex(d.merkle_root[2:])
    for leaf in recorded.leaves:
        proof = [bytes.fromhex(p[2:]) for p in leaf.proof]
        assert verify(root, LEAF_ENCODING, (leaf.account, int(leaf.amount_units)), proof)


def test_each_leaf_knows_whose_address_it_is(world: World, session: Session) -> None:
    recorded = record_distribution(
        session, DistributionRequest(world.project, 10_000, "annual", world.snapshot), PAYOUT
    )
    by_account = {leaf.account: leaf for leaf in recorded.leaves}
    custodial = by_account[world.chain.investors[3].address.lower()]
    wallet = by_account[world.chain.investors[4].address.lower()]
    unknown = by_account[world.chain.investors[0].address.lower()]
    assert (custodial.account_kind, custodial.user_id) == ("custodial", world.custodial_user)
    assert (wallet.account_kind, wallet.user_id) == ("wallet", world.wallet_user)
    assert (unknown.account_kind, unknown.user_id) == ("wallet", None)


def test_without_a_block_the_newest_final_block_is_the_snapshot(world: World, session: Session) -> None:
    recorded = record_distribution(session, DistributionRequest(world.project, 999, "quarterly"), PAYOUT)
    finalized = session.scalar(text("SELECT finalized_block FROM chain_checkpoints"))
    assert recorded.distribution.snapshot_block == finalized
    expected = allocate(999, chain_balances_at(world, 1, int(finalized)))
    assert {leaf.account: leaf.amount_cents for leaf in recorded.leaves} == {a: c for a, c in expected.items() if c}


def test_the_same_idempotency_key_records_once(world: World, session: Session) -> None:
    request = DistributionRequest(world.project, 50_000, "quarterly", world.snapshot, idempotency_key="q3-2026")
    first = record_distribution(session, request, PAYOUT)
    again = record_distribution(session, request, PAYOUT)
    assert again.distribution.id == first.distribution.id and not again.created
    assert session.scalar(select(func.count()).select_from(Distribution)) == 1
    with pytest.raises(DistributionRefused) as refused:
        record_distribution(
            session, DistributionRequest(world.project, 60_000, "quarterly", idempotency_key="q3-2026"), PAYOUT
        )
    assert refused.value.code == "DISTRIBUTION_KEY_REUSED"


def _refused(world: World, session: Session, request: DistributionRequest) -> str:
    with pytest.raises(DistributionRefused) as refused:
        record_distribution(session, request, PAYOUT)
    assert session.scalar(select(func.count()).select_from(Distribution)) == 0
    assert session.scalar(select(func.count()).select_from(UserDistribution)) == 0
    return refused.value.code


def test_what_cannot_be_recorded_is_refused_with_nothing_written(world: World, session: Session) -> None:
    head = session.scalar(text("SELECT block_number FROM chain_checkpoints"))
    finalized = session.scalar(text("SELECT finalized_block FROM chain_checkpoints"))
    p = world.project
    assert _refused(world, session, DistributionRequest(p, 0, "quarterly")) == "DISTRIBUTION_TOTAL_NOT_POSITIVE"
    assert _refused(world, session, DistributionRequest(p, -100, "quarterly")) == "DISTRIBUTION_TOTAL_NOT_POSITIVE"
    assert _refused(world, session, DistributionRequest(p, 100, "monthly")) == "DISTRIBUTION_TYPE_UNKNOWN"
    assert _refused(world, session, DistributionRequest(p, 100, "annual", int(head) + 10)) == "SNAPSHOT_IN_FUTURE"
    assert _refused(world, session, DistributionRequest(p, 100, "annual", int(finalized) + 1)) == "SNAPSHOT_NOT_FINAL"
    assert _refused(world, session, DistributionRequest(world.empty_project, 100, "annual")) == "NO_HOLDERS"
    assert _refused(world, session, DistributionRequest(uuid.uuid4(), 100, "annual")) == "PROJECT_NOT_FOUND"


def _terra(world: World, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {
        "DATABASE_URL": world.settings.database_url.get_secret_value(),  # type: ignore[union-attr]
        "DEPLOYMENTS_DIR": str(world.chain.deployments_dir),
        "TERRA_DATA_DIR": str(world.settings.data_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "terra.cli", "distributions", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_terra_distributions_create_records_once_per_key_and_refuses_clearly(world: World) -> None:
    try:
        done = _terra(
            world, "create", "1", "--amount", "123.45", "--snapshot-block", str(world.snapshot), "--key", "cli"
        )
        assert done.returncode == 0, done.stderr
        assert "recorded" in done.stdout and "merkle root 0x" in done.stdout
        again = _terra(
            world, "create", "1", "--amount", "123.45", "--snapshot-block", str(world.snapshot), "--key", "cli"
        )
        assert again.returncode == 0 and "already recorded" in again.stdout
        with Session(world.engine) as session:
            rows = session.execute(text("SELECT total_cents, total_units FROM distributions")).all()
        assert [(int(c), int(u)) for c, u in rows] == [(12_345, 12_345 * 10**4)]
        zero = _terra(world, "create", "1", "--amount", "0")
        assert zero.returncode == 8 and "DISTRIBUTION_TOTAL_NOT_POSITIVE" in zero.stderr
        fraction = _terra(world, "create", "1", "--amount", "1.001")
        assert fraction.returncode == 2 and "whole cents" in fraction.stderr
        unknown = _terra(world, "create", "99", "--amount", "10")
        assert unknown.returncode == 8 and "PROJECT_NOT_FOUND" in unknown.stderr
    finally:
        with Session(world.engine) as session, session.begin():
            session.execute(text("DELETE FROM distributions"))


def test_terra_distributions_exit_requests_once_and_refuses_clearly(world: World) -> None:
    dao = "0x000000000000000000000000000000000000da00"
    try:
        no_holders = _terra(world, "exit", "4", "--dao", dao, "--amount", "10")
        assert no_holders.returncode == 8 and "NO_HOLDERS" in no_holders.stderr
        bad_dao = _terra(world, "exit", "4", "--dao", "0x" + "0" * 40)
        assert bad_dao.returncode == 8 and "COMMUNITY_DAO_INVALID" in bad_dao.stderr
        done = _terra(world, "exit", "4", "--dao", dao)
        assert done.returncode == 0 and "requested" in done.stdout, done.stderr
        twice = _terra(world, "exit", "4", "--dao", dao)
        assert twice.returncode == 8 and "PROJECT_ALREADY_EXITED" in twice.stderr
        with Session(world.engine) as session:
            rows = session.execute(text("SELECT token_id, community_dao, status FROM project_exit_requests")).all()
        assert [(int(t), d, s) for t, d, s in rows] == [(4, dao, "pending")]
    finally:
        with Session(world.engine) as session, session.begin():
            session.execute(text("DELETE FROM project_exit_requests"))


def test_a_reorg_below_the_snapshot_halts_the_indexer_and_the_snapshot_stands(world: World, session: Session) -> None:
    """By construction: the snapshot is final, and the indexer refuses a reorg deeper than finality."""
    before = record_distribution(
        session, DistributionRequest(world.project, 77_777, "quarterly", world.snapshot), PAYOUT
    )
    amounts = {leaf.account: leaf.amount_cents for leaf in before.leaves}
    session.rollback()
    head = int(world.chain.head()["number"], 16)
    activity = Activity(world.chain, "deep-reorg")
    reorg(
        world.chain,
        head - world.snapshot + 2,
        [activity.transfer(world.chain.investors[2], world.chain.investors[6].address, 1, 400_000)],
    )
    with pytest.raises(ReorgBeyondFinality):
        sync_until_head(world.settings, world.engine)
    with Session(world.engine) as fresh, fresh.begin():
        again = record_distribution(
            fresh, DistributionRequest(world.project, 77_777, "quarterly", world.snapshot), PAYOUT
        )
        assert {leaf.account: leaf.amount_cents for leaf in again.leaves} == amounts
        fresh.rollback()
    assert rpc(world.chain.url, "eth_blockNumber", [])  # the chain itself moved on; the index did not follow
