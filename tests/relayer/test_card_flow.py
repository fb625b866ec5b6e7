"""Card payments end to end on real anvil and PostgreSQL: a signed Stripe webhook becomes exactly one mint, indexed,
then final; replays, forgeries and events in any order never mint twice or lose a payment."""

from __future__ import annotations

import time
import uuid

from web3 import Web3

from core.stripe.signature import sign_payload
from tests.relayer.support import SMALL_PROJECT, Stack, wait_for


def test_a_succeeded_card_payment_mints_once_to_the_custodial_address_then_completes_and_finalizes(
    stack: Stack,
) -> None:
    inv = stack.card_investment(2_500)
    assert stack.post(stack.event(inv, "payment_intent.succeeded")).status_code == 200
    stack.wait_status(inv, "completed", "final")
    stored = stack.investment(inv)
    assert stored.recipient is not None and stored.mint_tx_hash is not None
    assert stack.chain.contracts.ownership.functions.balanceOf(Web3.to_checksum_address(stored.recipient), 1).call() == 2_500
    stack.finalize()
    stack.wait_status(inv, "final")
    assert stack.mints_of(inv) == 1
    assert stack.history(inv) == ["pending_payment", "paid", "minting", "completed", "final"]
