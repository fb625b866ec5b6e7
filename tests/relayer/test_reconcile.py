"""`terra relayer reconcile`: clean when every succeeded payment has its one mint; otherwise it lists each paid
investment without a mint, each mint without a payment, each open flag, and exits 7."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
from prometheus_client import REGISTRY

from core.chain.payment_ref import investment_payment_ref
from core.chain.transactions import transact
from relayer.outbox import worker
from relayer.payments.repository import store_stripe_event
from relayer.process import relayer_context, run_reconcile
from tests.indexer.mirror_support import PrivateChain
from tests.relayer.support import BIG_PROJECT, Stack, relayer_stack, wait_for


@pytest.fixture(scope="module")
def stack(private_chain: PrivateChain, server_url: str) -> Iterator[Stack]:
    with relayer_stack(private_chain, server_url) as s:
        yield s


def _reconcile_cli(stack: Stack) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": stack.database_url,
        "RPC_URL": stack.chain.url,
        "RPC_URLS": "",
        "DEPLOYMENTS_DIR": str(stack.chain.deployments_dir),
        "TERRA_DATA_DIR": str(stack.settings.terra_data_dir),
        "RELAYER_RECONCILE_GRACE": "0",
    }
    return subprocess.run(
        [sys.executable, "-m", "terra.cli", "relayer", "reconcile"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _kinds(stack: Stack) -> dict[str, int]:
    ctx = relayer_context(stack.settings)
    try:
        return run_reconcile(ctx).counts()
    finally:
        ctx.close()


def test_reconcile_is_clean_after_a_card_payment_and_lists_each_kind_of_trouble(stack: Stack) -> None:
    inv = stack.card_investment(1_000)
    stack.post(stack.event(inv, "payment_intent.succeeded"))
    stack.wait_status(inv, "completed", "final")
    clean = _reconcile_cli(stack)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "reconciled" in clean.stdout

    # a mint nobody paid for: the minter key used outside the relayer
    own = stack.chain.contracts.ownership
    stray_ref = investment_payment_ref(uuid.uuid4())
    transact(
        stack.chain.w3,
        stack.chain.minter,
        own.functions.mintInvestment(BIG_PROJECT, stack.chain.investors[0].address, 1_000, stray_ref),
    )
    wait_for(
        "the stray mint indexed",
        lambda: stack.sql("SELECT 1 FROM chain_mints WHERE payment_ref = :r", r="0x" + stray_ref.hex()),
    )
    # a flag: a webhook for a PaymentIntent whose amount does not match the investment
    flagged = stack.card_investment(2_000)
    stack.post(stack.event(flagged, "payment_intent.succeeded", amount_cents=1_999))
    wait_for(
        "the mismatch flagged",
        lambda: stack.sql(
            "SELECT 1 FROM payment_flags WHERE reason = 'amount_mismatch' AND investment_id = :i", i=flagged
        ),
    )
    assert stack.status(flagged) == "failed" and stack.mints_of(flagged) == 0
    # a payment confirmed but never minted: confirmed pass by pass while no relayer drains the outbox
    stack.stop_relayer()
    try:
        waiting = stack.card_investment(1_000)
        ctx = relayer_context(stack.settings)
        event = stack.event(waiting, "payment_intent.succeeded")
        with ctx.sessions.begin() as session:
            store_stripe_event(session, event["id"], event["type"], False, event)
        worker.process_stripe_events(ctx.sessions, ctx.custody, None)
        ctx.close()
        assert stack.status(waiting) == "paid"

        found = _reconcile_cli(stack)
        assert found.returncode == 7, found.stdout + found.stderr
        assert f"paid_not_minted: {waiting}" in found.stdout
        assert f"mint_without_payment: 0x{stray_ref.hex()}" in found.stdout
        assert "flagged: stripe:" in found.stdout and "amount_mismatch" in found.stdout
        counts = _kinds(stack)
        assert counts["paid_not_minted"] == 1 and counts["mint_without_payment"] == 1 and counts["flagged"] == 1
        gauge = REGISTRY.get_sample_value("terra_relayer_reconcile_findings", {"kind": "mint_without_payment"})
        assert gauge == 1.0
    finally:
        stack.start_relayer()
    stack.wait_status(waiting, "completed", "final")
