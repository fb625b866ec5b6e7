"""Card payments end to end on real anvil and PostgreSQL: a signed Stripe webhook becomes exactly one mint, indexed,
then final; replays, forgeries and events in any order never mint twice or lose a payment."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from web3 import Web3

from core.chain.transactions import transact
from core.investments import attach_payment_intent, get_investment
from core.stripe.client import stripe_client
from core.stripe.signature import sign_payload
from relayer.outbox import worker
from tests.relayer.support import SMALL_CAP, SMALL_PROJECT, Stack, wait_for

SMALL_CAP_OVERRUN = SMALL_CAP + 100


def test_a_succeeded_card_payment_mints_once_to_the_custodial_address_then_completes_and_finalizes(
    stack: Stack,
) -> None:
    inv = stack.card_investment(2_500)
    assert stack.post(stack.event(inv, "payment_intent.succeeded")).status_code == 200
    stack.wait_status(inv, "completed", "final")
    stored = stack.investment(inv)
    assert stored.recipient is not None and stored.mint_tx_hash is not None
    assert (
        stack.chain.contracts.ownership.functions.balanceOf(Web3.to_checksum_address(stored.recipient), 1).call()
        == 2_500
    )
    stack.finalize()
    stack.wait_status(inv, "final")
    assert stack.mints_of(inv) == 1
    assert stack.history(inv) == ["pending_payment", "paid", "minting", "completed", "final"]


def test_the_same_webhook_a_hundred_times_stores_one_event_and_mints_once(stack: Stack) -> None:
    inv = stack.card_investment(1_000)
    event = stack.event(inv, "payment_intent.succeeded")
    answers = [stack.post(event) for _ in range(100)]
    assert {a.status_code for a in answers} == {200}
    assert sum(1 for a in answers if not a.json()["duplicate"]) == 1
    stack.wait_status(inv, "completed", "final")
    assert stack.sql("SELECT count(*) FROM stripe_events WHERE id = :id", id=event["id"]) == [(1,)]
    assert stack.mints_of(inv) == 1


def _stored(stack: Stack, event_id: str) -> int:
    return int(stack.sql("SELECT count(*) FROM stripe_events WHERE id = :id", id=event_id)[0][0])


def test_forged_stale_unsigned_and_wrongly_keyed_webhooks_get_400_and_store_nothing(stack: Stack) -> None:
    inv = stack.card_investment(1_000)
    event = stack.event(inv, "payment_intent.succeeded")
    body = b'{"id": "%s", "type": "payment_intent.succeeded"}' % event["id"].encode()
    cases = {
        "unsigned": stack.post(event, header=""),
        "wrong secret": stack.post(event, secret="whsec_someone_else"),
        "stale (301 s)": stack.post(event, at=int(time.time()) - 301),
        "tampered body": stack.post(event, body=body, header=sign_payload(b"{}", "x", int(time.time()))),
        "garbage header": stack.post(event, header="t=1,v1=00"),
    }
    for name, answer in cases.items():
        assert answer.status_code == 400, name
        assert answer.json()["error"]["code"] in ("missing_signature", "invalid_signature"), name
    assert _stored(stack, event["id"]) == 0
    time.sleep(0.5)  # a pass or two: nothing may have moved
    assert stack.status(inv) == "pending_payment"


def test_a_signed_body_that_is_not_an_event_gets_400_and_an_unknown_type_is_stored_and_ignored(stack: Stack) -> None:
    answer = stack.post({}, body=b"{not json")
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "malformed_payload"
    answer = stack.post({}, body=b'["a", "list"]')
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "malformed_payload"
    unknown = {"id": f"evt_unknown_{uuid.uuid4().hex[:8]}", "object": "event", "type": "customer.created", "data": {}}
    assert stack.post(unknown).status_code == 200
    wait_for(
        "the unknown event processed",
        lambda: stack.sql(
            "SELECT outcome FROM stripe_events WHERE id = :id AND processed_at IS NOT NULL", id=unknown["id"]
        ),
    )
    assert stack.sql("SELECT outcome FROM stripe_events WHERE id = :id", id=unknown["id"]) == [("ignored_type",)]


def test_an_intent_without_our_metadata_or_for_no_investment_is_recorded_with_its_code_and_mints_nothing(
    stack: Stack,
) -> None:
    inv = stack.card_investment(1_000)
    no_metadata = stack.event(inv, "payment_intent.succeeded")
    no_metadata["data"]["object"]["metadata"] = {}
    no_metadata["data"]["object"]["id"] = "pi_not_ours"
    ghost = stack.event(inv, "payment_intent.succeeded")
    ghost["data"]["object"]["metadata"]["investment_id"] = str(uuid.uuid4())
    for event in (no_metadata, ghost):
        assert stack.post(event).status_code == 200
    outcomes = wait_for(
        "both processed",
        lambda: (
            (
                rows := stack.sql(
                    "SELECT id, outcome FROM stripe_events WHERE id IN (:a, :b) AND processed_at IS NOT NULL",
                    a=no_metadata["id"],
                    b=ghost["id"],
                )
            )
            and len(rows) == 2
            and dict(rows)
        ),
    )
    assert outcomes == {no_metadata["id"]: "no_investment_metadata", ghost["id"]: "unknown_investment"}
    assert stack.status(inv) == "pending_payment" and stack.mints_of(inv) == 0


def test_a_refund_before_the_success_event_means_no_mint(stack: Stack) -> None:
    inv = stack.card_investment(1_000)
    assert stack.post(stack.event(inv, "charge.refunded")).status_code == 200
    stack.wait_status(inv, "refunded")
    stack.post(stack.event(inv, "payment_intent.succeeded"))
    wait_for(
        "both events processed",
        lambda: (
            stack.sql("SELECT count(*) FROM stripe_events WHERE investment_id IS NULL AND processed_at IS NULL")
            == [(0,)]
        ),
    )
    time.sleep(1.0)
    assert stack.status(inv) == "refunded" and stack.mints_of(inv) == 0


def test_success_twice_under_different_event_ids_mints_once(stack: Stack) -> None:
    inv = stack.card_investment(1_000)
    for _ in range(2):
        stack.post(stack.event(inv, "payment_intent.succeeded"))
    stack.wait_status(inv, "completed", "final")
    time.sleep(1.0)
    assert stack.mints_of(inv) == 1


def test_a_declined_attempt_then_a_success_mints(stack: Stack) -> None:
    inv = stack.card_investment(1_000)
    stack.post(stack.event(inv, "payment_intent.payment_failed"))
    stack.wait_status(inv, "failed")
    stack.post(stack.event(inv, "payment_intent.succeeded"))
    stack.wait_status(inv, "completed", "final")
    assert stack.mints_of(inv) == 1
    assert stack.investment(inv).last_failure == "generic_decline"


def test_a_dispute_before_the_success_holds_the_mint_until_the_dispute_is_won(stack: Stack) -> None:
    inv = stack.card_investment(1_000)
    stack.post(stack.event(inv, "charge.dispute.created"))
    stack.post(stack.event(inv, "payment_intent.succeeded"))
    stack.wait_status(inv, "disputed")
    time.sleep(1.0)
    assert stack.mints_of(inv) == 0
    stack.post(stack.event(inv, "charge.dispute.closed", dispute_status="won"))
    stack.wait_status(inv, "completed", "final")
    assert stack.mints_of(inv) == 1


def test_a_mint_that_reverts_fails_the_investment_with_the_decoded_reason_and_owes_a_refund(stack: Stack) -> None:
    first, second = stack.card_investment(3_000, SMALL_PROJECT), stack.card_investment(3_000, SMALL_PROJECT)
    stack.post(stack.event(first, "payment_intent.succeeded"))
    stack.wait_status(first, "completed", "final")
    stack.post(stack.event(second, "payment_intent.succeeded"))
    stack.wait_reverted_then_finalize()
    stack.wait_status(second, "failed")
    failed = stack.investment(second)
    assert failed.failure_reason is not None and "SupplyCapExceeded(2, 5000, 6000)" in failed.failure_reason
    assert stack.sql("SELECT reason FROM payment_flags WHERE investment_id = :i AND resolved_at IS NULL", i=second) == [
        ("refund_owed",)
    ]
    assert stack.mints_of(second) == 0


def test_the_card_flow_through_the_local_fake_stripe_mints_after_a_4242_payment(stack: Stack) -> None:
    inv = stack.card_investment(2_200)
    assert stack.pay_by_card(inv, "pm_card_visa") == "succeeded"
    stack.wait_status(inv, "completed", "final")
    assert stack.mints_of(inv) == 1


def test_a_declined_card_on_the_fake_stripe_fails_the_investment_and_mints_nothing(stack: Stack) -> None:
    inv = stack.card_investment(2_300)
    assert stack.pay_by_card(inv, "pm_card_chargeDeclined") == "declined"
    stack.wait_status(inv, "failed")
    assert stack.investment(inv).last_failure == "generic_decline" and stack.mints_of(inv) == 0


def test_a_mint_that_can_never_happen_is_refunded_through_stripe_and_ends_refunded(stack: Stack) -> None:
    inv = stack.card_investment(SMALL_CAP_OVERRUN, SMALL_PROJECT)
    assert stack.pay_by_card(inv) == "succeeded"
    stack.wait_reverted_then_finalize()
    stack.wait_status(inv, "refunded")  # mint reverted (cap) → failed → Stripe refund → charge.refunded
    assert stack.history(inv)[-2:] == ["failed", "refunded"]
    assert stack.sql("SELECT resolved_at IS NOT NULL FROM payment_flags WHERE investment_id = :i", i=inv) == [(True,)]
    assert stack.mints_of(inv) == 0


def _fetch_from(stack: Stack) -> Callable[[str], Mapping[str, Any]]:
    """What the relayer does with STRIPE_SECRET_KEY set: ask Stripe's API (here the local fake, same SDK calls)."""
    client = stripe_client(stack.settings)
    return lambda pi: client.v1.payment_intents.retrieve(pi).to_dict()


def test_with_refetching_an_event_stripe_does_not_confirm_is_flagged_not_minted(stack: Stack) -> None:
    """A correctly signed event claiming success for an intent Stripe's API says is unpaid, and one whose intent is
    for another amount: both flagged with their reason, neither minted (driven pass by pass, no relayer running)."""
    with stack.driven() as ctx:
        client = stripe_client(stack.settings)
        unpaid, other_amount = stack.card_investment(1_000), stack.card_investment(1_000)
        for inv, amount in ((unpaid, 1_000), (other_amount, 1_500)):
            record = stack.investment(inv)
            meta = {"investment_id": str(inv), "payment_ref": record.payment_ref, "project_id": "1"}
            intent = client.v1.payment_intents.create(params={"amount": amount, "currency": "usd", "metadata": meta})
            if inv == other_amount:
                client.v1.payment_intents.confirm(intent.id, params={"payment_method": "pm_card_visa"})
            with ctx.sessions.begin() as session:
                stored = get_investment(session, inv)
                assert stored is not None
                attach_payment_intent(session, stored, intent.id)
            event = stack.event(inv, "payment_intent.succeeded")  # the event claims success at the right amount
            stack.store(ctx, event)
        worker.process_stripe_events(ctx.sessions, ctx.custody, _fetch_from(stack))
        flags = dict(
            stack.sql(
                "SELECT investment_id, reason FROM payment_flags WHERE investment_id IN (:a, :b)",
                a=unpaid,
                b=other_amount,
            )
        )
        assert flags == {unpaid: "not_succeeded", other_amount: "amount_mismatch"}
        assert stack.status(unpaid) == "pending_payment" and stack.status(other_amount) == "failed"
        assert worker.drain_mint_intents(ctx.sessions, ctx.chain, 10) == 0


def test_health_and_metrics_are_served_beside_the_webhook(stack: Stack) -> None:
    assert stack.relayer is not None
    health = httpx.get(stack.relayer.url + "/health", timeout=10)
    assert health.status_code == 200 and health.json() == {"status": "ok", "chain_id": 31337}
    stack.post({}, body=b"{not json")
    metrics = httpx.get(stack.relayer.url + "/metrics", timeout=10).text
    assert 'terra_relayer_webhooks_total{result="malformed_payload"}' in metrics
    assert "terra_relayer_reconcile_findings" in metrics or "terra_relayer_mint_batch_size_bucket" in metrics


def test_waiting_intents_go_out_together_in_one_mint_batch(stack: Stack) -> None:
    with stack.driven() as ctx:
        investments = [stack.card_investment(1_000 + i) for i in range(5)]
        for inv in investments:
            event = stack.event(inv, "payment_intent.succeeded")
            stack.store(ctx, event)
        worker.process_stripe_events(ctx.sessions, ctx.custody, None)
        worker.drain_compliance_intents(ctx.sessions, ctx.chain)  # the custodial addresses' allowlist entry first
        for _ in range(20):
            ctx.manager.tick()
            worker.follow_compliance_transactions(ctx.sessions, ctx.custody)
            if worker.drain_mint_intents(ctx.sessions, ctx.chain, 50):
                break
        tx_ids = stack.sql(
            "SELECT DISTINCT tx_id FROM mint_intents WHERE investment_id = ANY(:ids)", ids=list(investments)
        )
        assert len(tx_ids) == 1, "five waiting intents, one mintInvestmentBatch"
    for inv in investments:
        stack.wait_status(inv, "completed", "final")
        assert stack.mints_of(inv) == 1


def test_one_pass_hands_over_several_full_batches_not_just_the_first(stack: Stack) -> None:
    """Five allowlisted intents at batch size 2: one drain makes batches of 2, 2 and 1 (one batch a pass capped
    throughput at one batch per poll interval, whatever a block holds)."""
    with stack.driven() as ctx:
        investments = [stack.card_investment(1_100 + i) for i in range(5)]
        for inv in investments:
            event = stack.event(inv, "payment_intent.succeeded")
            stack.store(ctx, event)
        worker.process_stripe_events(ctx.sessions, ctx.custody, None)
        worker.drain_compliance_intents(ctx.sessions, ctx.chain)
        own = stack.chain.contracts.ownership
        recipients = [Web3.to_checksum_address(str(stack.investment(i).recipient)) for i in investments]
        for _ in range(40):  # until the allowlist transaction is mined
            ctx.manager.tick()
            if all(own.functions.isAllowed(r).call() for r in recipients):
                break
            time.sleep(0.1)
        assert worker.drain_mint_intents(ctx.sessions, ctx.chain, 2) == 5
        sizes = stack.sql(
            "SELECT count(*) FROM mint_intents WHERE investment_id = ANY(:ids) GROUP BY tx_id", ids=list(investments)
        )
        assert sorted(n for (n,) in sizes) == [1, 2, 2]
    for inv in investments:
        stack.wait_status(inv, "completed", "final")
        assert stack.mints_of(inv) == 1


def test_a_payment_whose_reference_is_already_minted_on_chain_mints_nothing_more(stack: Stack) -> None:
    inv = stack.card_investment(1_000)
    own = stack.chain.contracts.ownership
    holder = stack.chain.investors[6].address
    ref = bytes.fromhex(stack.investment(inv).payment_ref[2:])
    transact(stack.chain.w3, stack.chain.minter, own.functions.mintInvestment(1, holder, 1_000, ref))
    stack.post(stack.event(inv, "payment_intent.succeeded"))
    stack.wait_status(inv, "completed", "final")
    time.sleep(1.0)
    assert stack.mints_of(inv) == 1


def test_terra_stripe_simulate_posts_an_event_the_relayer_acts_on(stack: Stack) -> None:
    inv = stack.card_investment(1_900)
    env = {
        **os.environ,
        "DATABASE_URL": stack.database_url,
        "TERRA_DATA_DIR": str(stack.settings.terra_data_dir),
    }
    env = {k: v for k, v in env.items() if k != "STRIPE_SECRET_KEY"}
    done = subprocess.run(
        [sys.executable, "-m", "terra.cli", "stripe", "simulate", str(inv), "--url", stack.webhook_url],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    stack.wait_status(inv, "completed", "final")
    assert stack.mints_of(inv) == 1


def test_an_event_that_keeps_failing_is_retried_then_flagged_and_never_blocks_the_ones_behind(stack: Stack) -> None:
    with stack.driven() as ctx:
        stuck, fine = stack.card_investment(1_000), stack.card_investment(1_000)
        stuck_pi = stack.investment(stuck).stripe_payment_intent_id
        events = [stack.event(stuck, "payment_intent.succeeded"), stack.event(fine, "payment_intent.succeeded")]
        for event in events:
            stack.store(ctx, event)

        def fetch(pi: str) -> Mapping[str, Any]:
            if pi == stuck_pi:
                raise ConnectionError("Stripe unreachable")
            return next(e["data"]["object"] for e in events if e["data"]["object"]["id"] == pi)

        for _ in range(worker.MAX_EVENT_ATTEMPTS):
            worker.process_stripe_events(ctx.sessions, ctx.custody, fetch)
        assert stack.status(fine) == "paid"
        assert stack.status(stuck) == "pending_payment"
        assert stack.sql("SELECT outcome, attempts FROM stripe_events WHERE id = :e", e=events[0]["id"]) == [
            ("processing_failed", worker.MAX_EVENT_ATTEMPTS)
        ]
        assert stack.sql("SELECT reason FROM payment_flags WHERE source_ref = :e", e=events[0]["id"]) == [
            ("processing_failed",)
        ]
    stack.wait_status(fine, "completed", "final")
