"""The relayer sends a project's exit once its exit distribution is on chain, exactly once, and fails (flagged for
an admin) an exit the contract refuses. The stack is real: anvil, the indexer thread, the relayer's passes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, select

from core.chain.transactions import transact
from core.distributions.exits import request_exit
from core.distributions.payout import payout_token
from core.models.catalogue import Project
from core.models.chain_ownership import ChainExit
from core.models.distributions import Distribution
from core.models.exits import ProjectExitRequest
from core.models.payments import PaymentFlag
from core.models.relayer_transactions import RelayerTransaction
from relayer.outbox import exits
from tests.relayer.support import BIG_PROJECT, CHAIN_ID, Stack, wait_for

DAO = "0x000000000000000000000000000000000000da00"


def _catalogue(stack: Stack, token_id: int) -> uuid.UUID:
    now = datetime.now(UTC)
    with stack.sessions.begin() as session:
        project = Project(
            chain_id=CHAIN_ID, token_id=Decimal(token_id), name=f"Exit {token_id}", technology="solar",
            target_cents=10**9, created_at=now, updated_at=now,
        )  # fmt: skip
        session.add(project)
        session.flush()
        return project.id


def _request(stack: Stack, project_id: uuid.UUID) -> uuid.UUID:
    with stack.sessions.begin() as session:
        payout = payout_token(stack.chain.deployments_dir, CHAIN_ID)
        return request_exit(session, project_id, DAO, payout).request.id


def _status(stack: Stack, request_id: uuid.UUID) -> str:
    with stack.sessions() as session:
        request = session.get(ProjectExitRequest, request_id)
        assert request is not None
        return request.status


def test_the_relayer_exits_a_project_once(stack: Stack) -> None:
    project_id = _catalogue(stack, BIG_PROJECT)
    request_id = _request(stack, project_id)
    wait_for("the exit indexed", lambda: stack.sql("SELECT 1 FROM chain_exits WHERE project_id = :p", p=BIG_PROJECT))
    wait_for("the request done", lambda: _status(stack, request_id) == "done")
    assert stack.chain.contracts.ownership.functions.project(BIG_PROJECT).call()[3] is True
    with stack.sessions() as session:
        exits = session.scalar(
            select(func.count()).select_from(RelayerTransaction).where(RelayerTransaction.purpose == "exit")
        )
        assert exits == 1
        assert session.get(ChainExit, (CHAIN_ID, Decimal(BIG_PROJECT))) is not None


def test_an_exit_the_contract_refuses_fails_and_is_flagged(stack: Stack) -> None:
    # Known to the catalogue, never created on chain: exitProject reverts with UnknownProject.
    project_id = _catalogue(stack, 424242)
    request_id = _request(stack, project_id)
    wait_for("the request failed", lambda: _status(stack, request_id) == "failed")
    with stack.sessions() as session:
        request = session.get(ProjectExitRequest, request_id)
        assert request is not None and "UnknownProject" in (request.failure_reason or "")
        flag = session.scalar(select(PaymentFlag).where(PaymentFlag.source_ref == str(request_id)))
        assert flag is not None and flag.reason == "exit_reverted"


def test_an_exit_waits_for_its_exit_distribution_on_chain(stack: Stack) -> None:
    """Its distribution not on chain yet → the pass sends nothing; once the root is recorded (as the payouts pass
    records it) and indexed → the exit goes out."""
    chain = stack.chain
    cid = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"
    transact(chain.w3, chain.admin, chain.contracts.ownership.functions.createProject(77, 10**6, cid))
    project_id = _catalogue(stack, 77)
    now = datetime.now(UTC)
    with stack.sessions.begin() as session:
        distribution = Distribution(
            project_id=project_id, chain_id=CHAIN_ID, token_id=Decimal(77), distribution_date=now.date(),
            distribution_type="exit", total_cents=100, total_units=Decimal(1_000_000), payout_token="0x" + "ab" * 20,
            payout_decimals=6, snapshot_block=1, merkle_root="0x" + "cd" * 32, holder_count=1, claim_deadline=now,
        )  # fmt: skip
        session.add(distribution)
        session.flush()
        request = ProjectExitRequest(
            project_id=project_id, chain_id=CHAIN_ID, token_id=Decimal(77), community_dao=DAO, status="pending",
            exit_distribution_id=distribution.id,
        )  # fmt: skip
        session.add(request)
        session.flush()
        distribution_id, request_id = distribution.id, request.id
    with stack.driven() as ctx:
        assert exits.drain_exit_requests(ctx.sessions, ctx.chain) == 0
        assert _status(stack, request_id) == "pending"
        own = chain.contracts.ownership
        transact(chain.w3, chain.admin, own.functions.distributeReturns(77, distribution_id, 10**6, b"\xcd" * 32, 1))
        wait_for(
            "the distribution indexed",
            lambda: stack.sql("SELECT 1 FROM chain_distributions WHERE distribution_id = :d", d=distribution_id),
        )
        assert exits.drain_exit_requests(ctx.sessions, ctx.chain) == 1
    wait_for("the exit done", lambda: _status(stack, request_id) == "done")
