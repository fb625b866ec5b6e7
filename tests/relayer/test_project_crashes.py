"""`kill -9` of the relayer at each step of a createProject — after it is stored, signed, broadcast, and after its
receipt — and a restart: the project goes on chain exactly once, in one transaction, and its intent ends done."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from relayer.tx.faults import CRASH_POINTS
from tests.indexer.mirror_support import PrivateChain
from tests.relayer.project_support import created_events, intent, queue_project
from tests.relayer.support import Stack, relayer_stack, wait_for
from tests.relayer.test_crashes import _answers


@pytest.fixture(scope="module")
def stack(private_chain: PrivateChain, server_url: str) -> Iterator[Stack]:
    with relayer_stack(private_chain, server_url, start=False) as s:  # the relayer runs as a subprocess here
        yield s


@pytest.mark.parametrize("crash_at", CRASH_POINTS)
def test_a_relayer_killed_mid_create_project_and_restarted_creates_it_exactly_once(stack: Stack, crash_at: str) -> None:
    token_id = 700 + CRASH_POINTS.index(crash_at)
    cid = queue_project(stack, token_id, cap=123_456)
    process = stack.spawn_relayer(crash_at=crash_at)
    try:
        wait_for("the relayer listening", lambda: _answers(stack) or process.poll() is not None)
        assert wait_for(f"the kill at {crash_at}", lambda: process.poll() is not None, timeout=90)
        assert process.returncode == -signal.SIGKILL
        assert created_events(stack, token_id) <= 1
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    restarted = stack.spawn_relayer()
    try:
        wait_for("the intent done", lambda: intent(stack, token_id)["status"] == "done", timeout=90)
        assert created_events(stack, token_id) == 1
        project = stack.chain.contracts.ownership.functions.project(token_id).call()
        assert tuple(project[:3]) == (123_456, cid, True)
        sent = stack.sql(
            "SELECT t.status FROM relayer_transactions t JOIN project_intents i ON i.tx_id = t.id"
            " WHERE i.token_id = :t",
            t=token_id,
        )
        assert [s for (s,) in sent] in (["mined"], ["final"])
        every = stack.sql("SELECT count(*) FROM relayer_transactions WHERE purpose = 'create_project'")
        assert every == [(CRASH_POINTS.index(crash_at) + 1,)], "one transaction per createProject, no resend"
        nonces = stack.sql("SELECT nonce FROM relayer_transactions WHERE nonce IS NOT NULL ORDER BY nonce")
        assert [n for (n,) in nonces] == list(range(nonces[0][0], nonces[0][0] + len(nonces))), "no nonce gap"
    finally:
        restarted.terminate()
        restarted.wait(30)
