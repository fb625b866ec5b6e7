"""Property of the store: for random valid event histories (freezes and clawbacks included), random batch cuts and a
random fork point, undoing above the fork (through another branch and back) then re-applying equals applying
straight; and at every step sum of balances = minted <= cap, holder counts agree."""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from core.db.engine import make_session_factory
from indexer.fold import ZERO_ADDRESS
from indexer.store import apply_live_batch, undo_above
from tests.indexer.mirror_state import balances_consistent, mirror_state
from tests.indexer.synthetic import (
    HOLDERS,
    OWNERSHIP,
    ROUTER,
    SyntheticChain,
    allowlisted,
    batch_transfer,
    created,
    distributed,
    exited,
    forced,
    frozen,
    minted,
    paid,
    paused,
    ref,
    role,
    transfer,
)

Event = tuple[str, str, dict[str, Any]]
ROLES = ("0x" + "01" * 32, "0x" + "02" * 32)
_chain_ids = itertools.count(10_000)
_refs = itertools.count()


@dataclass
class Model:
    """What the contract would allow next: caps, supplies, balances, exits."""

    caps: dict[int, int] = field(default_factory=dict)
    supply: dict[int, int] = field(default_factory=dict)
    balances: dict[tuple[int, str], int] = field(default_factory=dict)
    exited: set[int] = field(default_factory=set)
    distributions: int = 0

    def open_projects(self) -> list[int]:
        return sorted(p for p in self.caps if p not in self.exited)

    def held(self) -> list[tuple[int, str]]:
        return sorted(k for k, v in self.balances.items() if v > 0 and k[0] not in self.exited)

    def move(self, project: int, sender: str, receiver: str, amount: int) -> None:
        if sender == ZERO_ADDRESS:
            self.supply[project] += amount
        else:
            self.balances[(project, sender)] -= amount
        self.balances[(project, receiver)] = self.balances.get((project, receiver), 0) + amount


def draw_event(draw: st.DrawFn, m: Model) -> list[Event]:
    kinds = ["create", "allow", "pause", "role", "pay"]
    if m.open_projects():
        kinds += ["mint", "mint", "exit", "distribute", "freeze"]
    if m.held():
        kinds += ["transfer", "transfer", "batch", "force"]
    kind = draw(st.sampled_from(kinds))
    holder = draw(st.sampled_from(HOLDERS))
    if kind == "create":
        project = len(m.caps) + 1
        m.caps[project], m.supply[project] = draw(st.integers(1, 10**30)), 0
        return [created(project, m.caps[project])]
    if kind == "mint":
        project = draw(st.sampled_from(m.open_projects()))
        room = m.caps[project] - m.supply[project]
        if room == 0:
            return []
        amount = draw(st.integers(1, room))
        m.move(project, ZERO_ADDRESS, holder, amount)
        return minted(project, holder, amount, ref(next(_refs)))
    if kind == "transfer":
        project, sender = draw(st.sampled_from(m.held()))
        amount = draw(st.integers(1, m.balances[(project, sender)]))
        m.move(project, sender, holder, amount)
        return [transfer(sender, holder, project, amount)]
    if kind == "force":  # a clawback, lowering a freeze or not
        project, sender = draw(st.sampled_from(m.held()))
        amount = draw(st.integers(1, m.balances[(project, sender)]))
        m.move(project, sender, holder, amount)
        left = draw(st.one_of(st.none(), st.just(m.balances[(project, sender)])))
        return forced(sender, holder, project, amount, frozen_left=left)
    if kind == "freeze":
        return [frozen(holder, draw(st.sampled_from(m.open_projects())), draw(st.integers(0, 10**30)))]
    if kind == "batch":
        sender = draw(st.sampled_from(m.held()))[1]
        projects = [p for p, h in m.held() if h == sender]
        amounts = [draw(st.integers(0, m.balances[(p, sender)])) for p in projects]
        for p, a in zip(projects, amounts, strict=True):
            m.move(p, sender, holder, a)
        return [batch_transfer(sender, holder, projects, amounts)]
    if kind == "exit":
        project = draw(st.sampled_from(m.open_projects()))
        m.exited.add(project)
        return [exited(project, holder)]
    if kind == "distribute":
        m.distributions += 1
        return [distributed(draw(st.sampled_from(m.open_projects())), m.distributions, draw(st.integers(1, 10**20)))]
    if kind == "allow":
        return [allowlisted(holder, draw(st.booleans()))]
    if kind == "pause":
        return [paused(draw(st.sampled_from((OWNERSHIP, ROUTER))), draw(st.booleans()))]
    if kind == "role":
        return [
            role(draw(st.sampled_from((OWNERSHIP, ROUTER))), draw(st.sampled_from(ROLES)), holder, draw(st.booleans()))
        ]
    return [paid(ref(next(_refs)), holder, 1, draw(st.integers(1, 10**12)))]


def draw_blocks(draw: st.DrawFn, m: Model, chain: SyntheticChain, count: int) -> None:
    for _ in range(count):
        events = [e for _ in range(draw(st.integers(0, 4))) for e in draw_event(draw, m)]
        chain.add_block(events)


def draw_cuts(draw: st.DrawFn, first: int, last: int) -> list[tuple[int, int]]:
    """[first, last] cut into consecutive batches at random."""
    cuts, start = [], first
    while start <= last:
        end = draw(st.integers(start, last))
        cuts.append((start, end))
        start = end + 1
    return cuts


def apply_range(engine: Engine, chain: SyntheticChain, chain_id: int, cuts: list[tuple[int, int]]) -> None:
    for first, last in cuts:
        with make_session_factory(engine).begin() as session:
            apply_live_batch(session, chain.batch(first, last, chain_id=chain_id))
        assert balances_consistent(engine, chain_id) == []


def undo(engine: Engine, chain: SyntheticChain, chain_id: int, number: int) -> None:
    with make_session_factory(engine).begin() as session:
        undo_above(session, chain_id, number, chain.blocks[number - 1].header.hash)
    assert balances_consistent(engine, chain_id) == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_undo_then_reapply_equals_straight_apply_and_balances_add_up(data: st.DataObject, clean_db: Engine) -> None:
    draw = data.draw
    model, main = Model(), SyntheticChain(branch=f"main-{next(_chain_ids)}")
    blocks = draw(st.integers(2, 8))
    fork_at = draw(st.integers(1, blocks - 1))
    draw_blocks(draw, model, main, fork_at)
    at_fork = copy.deepcopy(model)
    draw_blocks(draw, model, main, blocks - fork_at)
    other = main.fork(fork_at, branch=main.branch + "-other")
    draw_blocks(draw, at_fork, other, draw(st.integers(1, 4)))

    straight, winding = next(_chain_ids), next(_chain_ids)
    apply_range(clean_db, main, straight, [(1, blocks)])
    apply_range(clean_db, main, winding, draw_cuts(draw, 1, blocks))
    undo(clean_db, main, winding, fork_at)
    apply_range(clean_db, other, winding, draw_cuts(draw, fork_at + 1, len(other.blocks)))
    undo(clean_db, other, winding, fork_at)
    apply_range(clean_db, main, winding, draw_cuts(draw, fork_at + 1, blocks))
    assert mirror_state(clean_db, winding) == mirror_state(clean_db, straight)
