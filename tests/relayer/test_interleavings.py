"""Invariants 3 and 4 of DESIGN.md under random interleavings, on real anvil and PostgreSQL: Stripe events of every
handled type in any order, replays of stored events, relayer restarts and worker passes, driven step by step.

3. A payment reference mints at most once, whatever crashes, replays or reorgs happen.
4. Every succeeded payment ends in exactly one mint or an explicit refund / failure record — none lost."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3 import Web3

from relayer.outbox import worker
from relayer.payments.repository import store_stripe_event
from relayer.process import RelayerContext, relayer_context
from relayer.tx.manager import TransactionManager
from relayer.tx.settings import TxSettings
from tests.indexer.mirror_support import PrivateChain, indexer_settings, mine
from tests.relayer.support import BIG_PROJECT, Stack, relayer_stack

KINDS = ("succeeded", "failed", "canceled", "refunded", "dispute_created", "dispute_won", "dispute_lost")
EVENT_OF = {
    "succeeded": ("payment_intent.succeeded", {}),
    "failed": ("payment_intent.payment_failed", {}),
    "canceled": ("payment_intent.canceled", {}),
    "refunded": ("charge.refunded", {}),
    "dispute_created": ("charge.dispute.created", {}),
    "dispute_won": ("charge.dispute.closed", {"dispute_status": "won"}),
    "dispute_lost": ("charge.dispute.closed", {"dispute_status": "lost"}),
}
INVESTMENTS = 3

op = st.one_of(
    st.tuples(st.just("event"), st.integers(0, INVESTMENTS - 1), st.sampled_from(KINDS)),
    st.tuples(st.just("replay"), st.integers(0, 50)),
    st.tuples(st.just("pass")),
    st.tuples(st.just("restart")),
)


@dataclass
class Driven:
    stack: Stack
    ctx: RelayerContext
    delivered: list[dict[str, Any]] = field(default_factory=list)

    def sync_index(self) -> None:
        from indexer.service import run_forever

        settings = indexer_settings(self.stack.database_url, self.stack.chain.url, self.stack.chain.deployments_dir)
        run_forever(settings, threading.Event(), until_head=True, use_websocket=False, engine=self.stack.engine)

    def one_pass(self) -> None:
        c = self.ctx
        worker.process_stripe_events(c.sessions, c.custody, None)
        self.sync_index()
        worker.follow_index(c.sessions, c.chain.chain_id, c.custody)
        worker.follow_mint_transactions(c.sessions, c.custody)
        worker.follow_compliance_transactions(c.sessions, c.custody)
        worker.drain_compliance_intents(c.sessions, c.chain)
        worker.drain_mint_intents(c.sessions, c.chain, 10)
        c.manager.tick()

    def restart(self) -> None:
        """What a restart keeps is the database and the chain: a new manager, recovered before it sends."""
        c = self.ctx
        c.manager = TransactionManager(
            c.sessions,
            c.w3,
            c.manager._signer,
            TxSettings.from_relayer(c.settings),  # noqa: SLF001 - same key
            still_needed=worker.mint_still_needed(c.chain),
        )
        c.manager.recover()

    def deliver(self, event: dict[str, Any]) -> None:
        with self.ctx.sessions.begin() as session:
            store_stripe_event(session, event["id"], event["type"], False, event)


@pytest.fixture(scope="module")
def driven(private_chain: PrivateChain, server_url: str) -> Iterator[Driven]:
    with relayer_stack(private_chain, server_url, start=False, indexer=False) as stack:
        ctx = relayer_context(stack.settings)
        ctx.manager.recover()
        yield Driven(stack, ctx)
        ctx.close()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(op, min_size=2, max_size=12))
def test_interleaved_events_replays_and_restarts_mint_each_payment_once_and_lose_none(
    driven: Driven, ops: list[tuple[Any, ...]]
) -> None:
    stack = driven.stack
    investments = [stack.card_investment(1_000 + 100 * i) for i in range(INVESTMENTS)]
    sent: dict[uuid.UUID, set[str]] = {i: set() for i in investments}
    mine(stack.chain.url, 1)
    for step in ops:
        if step[0] == "event":
            inv, kind = investments[step[1]], step[2]
            event_type, extra = EVENT_OF[kind]
            event = stack.event(inv, event_type, **extra)
            driven.delivered.append(event)
            driven.deliver(event)
            sent[inv].add(kind)
        elif step[0] == "replay" and driven.delivered:
            driven.deliver(driven.delivered[step[1] % len(driven.delivered)])
        elif step[0] == "pass":
            driven.one_pass()
        elif step[0] == "restart":
            driven.restart()
    for _ in range(12):  # quiesce: passes until nothing is in flight, then past finality
        driven.one_pass()
    stack.finalize()
    for _ in range(4):
        driven.one_pass()

    own = stack.chain.contracts.ownership
    for inv in investments:
        kinds = sent[inv]
        record = stack.investment(inv)
        minted = stack.mints_of(inv)
        assert minted <= 1, f"invariant 3: {inv} minted {minted} times after {ops}"
        paid = bool(kinds & {"succeeded", "refunded", "dispute_created", "dispute_won", "dispute_lost"})
        if not paid:
            assert minted == 0 and record.status in ("pending_payment", "failed", "cancelled")
            continue
        # invariant 4: a mint, or an explicit refund / failure / open dispute — never a payment left in between
        assert record.status in ("final", "refunded", "disputed", "failed"), (record.status, kinds, ops)
        if record.status == "final":
            assert minted == 1
        held = 0
        if record.recipient is not None:
            held = int(own.functions.balanceOf(Web3.to_checksum_address(record.recipient), BIG_PROJECT).call())
        if record.status == "refunded":
            assert held == 0, "a refund after the mint claws the tokens back"
        if record.status == "disputed" and minted:
            frozen = own.functions.getFrozenTokens(Web3.to_checksum_address(record.recipient), BIG_PROJECT).call()
            assert frozen == record.amount_cents
