"""Investing end to end on the real stack: anvil with the contracts, the indexer, the relayer and the FAKE Stripe
delivering signed webhooks. A card investment made through the API, confirmed with a test card, and a crypto
investment paid with the API's own instructions both end `completed` with their mint, as GET /investments shows."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient

from api.app import create_app
from core.chain.compiler import Build
from core.chain.transactions import transact
from core.stripe.client import stripe_client
from tests.api.conftest import Api, api_settings
from tests.api.investments.support import add_project, invest, investor, link_wallet
from tests.indexer.mirror_support import PrivateChain, start_private_chain
from tests.relayer.support import BIG_PROJECT, Stack, relayer_stack, setup_projects, wait_for


@pytest.fixture(scope="module")
def stack(build: Build, database_url: str) -> Iterator[Stack]:
    chain: PrivateChain = start_private_chain(build)
    try:
        setup_projects(chain)
        with relayer_stack(chain, database_url) as running:
            yield running
    finally:
        chain.anvil.stop()


@pytest.fixture
def flow_api(stack: Stack) -> Iterator[Api]:
    assert stack.fake is not None
    settings = api_settings(stripe_api_base=stack.fake.url, deployments_dir=stack.chain.deployments_dir)
    with TestClient(create_app(settings, engine=stack.engine), base_url="https://testserver") as client:
        yield Api(client, stack.engine)


@pytest.fixture(scope="module")
def catalogue_project(stack: Stack) -> Any:
    wait_for("the indexer to mirror the projects", lambda: stack.sql("SELECT 1 FROM chain_projects"))
    return add_project(stack.engine, BIG_PROJECT, 10**9, on_chain=False)


def _wait_completed(api: Api, headers: dict[str, str], inv_id: str) -> dict[str, Any]:
    def probe() -> dict[str, Any] | None:
        data: dict[str, Any] = api.client.get(f"/api/v1/investments/{inv_id}", headers=headers).json()["data"]
        return data if data["status"] in ("completed", "final") else None

    return wait_for(f"investment {inv_id} completed", probe, timeout=120)


def test_a_card_investment_through_the_api_is_minted_once_paid_with_a_test_card(
    flow_api: Api, stack: Stack, catalogue_project: Any
) -> None:
    _, headers = investor(flow_api)
    answer = invest(flow_api, headers, catalogue_project, amount="42.00")
    assert answer.status_code == 201, answer.text
    inv, pay = answer.json()["data"]["investment"], answer.json()["data"]["payment"]
    # What Stripe.js does with the client secret: confirm with a card; the fake then posts the signed webhooks.
    confirmed = stripe_client(stack.settings).v1.payment_intents.confirm(
        pay["payment_intent_id"], params={"payment_method": "pm_card_visa"}
    )
    assert confirmed.status == "succeeded"
    done = _wait_completed(flow_api, headers, inv["id"])
    assert done["mint_tx_hash"] is not None and done["mint_block"] is not None
    assert [h["to_status"] for h in done["history"]][:4] == ["pending_payment", "paid", "minting", "completed"]
    assert stack.mints_of(uuid.UUID(inv["id"])) == 1


def test_a_crypto_investment_paid_with_the_apis_instructions_is_minted_to_the_wallet(
    flow_api: Api, stack: Stack, catalogue_project: Any
) -> None:
    chain = stack.chain
    payer: LocalAccount = chain.investors[4]
    user, headers = investor(flow_api)
    link_wallet(flow_api.engine, user["id"], payer.address)
    answer = invest(flow_api, headers, catalogue_project, method="crypto", wallet=payer.address, amount="33.33")
    assert answer.status_code == 201, answer.text
    inv, pay = answer.json()["data"]["investment"], answer.json()["data"]["payment"]
    transact(chain.w3, chain.admin, chain.contracts.stablecoin.functions.mint(payer.address, int(pay["amount_units"])))
    for call in (pay["approve"], pay["pay"]):
        tx = chain.w3.eth.send_transaction({"from": payer.address, "to": call["to"], "data": call["calldata"]})
        assert chain.w3.eth.wait_for_transaction_receipt(tx)["status"] == 1
    stack.finalize()  # a crypto payment confirms once final
    done = _wait_completed(flow_api, headers, inv["id"])
    assert done["recipient"] == payer.address.lower() and done["mint_tx_hash"] is not None
    assert chain.contracts.ownership.functions.balanceOf(payer.address, BIG_PROJECT).call() == 3_333
