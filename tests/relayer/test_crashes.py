"""`kill -9` of the relayer process at each step of a mint — between storing and signing, signing and broadcast,
broadcast and receipt, and after the receipt — and a restart: exactly one mint every time."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from relayer.tx.faults import CRASH_POINTS
from tests.indexer.mirror_support import PrivateChain
from tests.relayer.support import Stack, relayer_stack, wait_for


@pytest.fixture(scope="module")
def stack(private_chain: PrivateChain, server_url: str) -> Iterator[Stack]:
    with relayer_stack(private_chain, server_url, start=False) as s:  # the relayer runs as a subprocess here
        yield s


def _answers(stack: Stack) -> bool:
    import httpx

    try:
        return httpx.get(stack.webhook_url.replace("/webhooks/stripe", "/health"), timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.mark.parametrize("crash_at", CRASH_POINTS)
def test_a_relayer_killed_mid_mint_and_restarted_mints_exactly_once(stack: Stack, crash_at: str) -> None:
    inv = stack.card_investment(1_500)
    process = stack.spawn_relayer(crash_at=crash_at)
    try:
        wait_for("the relayer listening", lambda: _answers(stack) or process.poll() is not None)
        assert stack.post(stack.event(inv, "payment_intent.succeeded")).status_code == 200
        assert wait_for(f"the kill at {crash_at}", lambda: process.poll() is not None, timeout=90)
        assert process.returncode == -signal.SIGKILL
        assert stack.mints_of(inv) <= 1
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    restarted = stack.spawn_relayer()
    try:
        stack.wait_status(inv, "completed", "final", timeout=90)
        assert stack.mints_of(inv) == 1
        stack.finalize()
        stack.wait_status(inv, "final", timeout=90)
        assert stack.mints_of(inv) == 1
        nonces = stack.sql("SELECT nonce FROM relayer_transactions WHERE nonce IS NOT NULL ORDER BY nonce")
        assert [n for (n,) in nonces] == list(range(nonces[0][0], nonces[0][0] + len(nonces))), "no nonce gap"
    finally:
        restarted.terminate()
        restarted.wait(30)
