"""Crypto investments: only from a wallet linked to the account, and the instructions are what the chain takes:
the wallet sends the answer's approve and pay calldata as they are, on anvil, and PaymentRouter emits the payment
for this investment's reference, project and exact amount."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from web3 import Web3
from web3.logs import DISCARD

from core.chain.transactions import transact
from ipfs.cid import compute_cid
from terra.ops.settings import OperatorSettings
from tests.api.conftest import Api
from tests.api.investments.support import add_project, count, invest, investor, link_wallet
from tests.conftest import Chain

TOKEN = 41
UNITS_PER_CENT = 10**4  # the test stablecoin's 6 decimals


@pytest.fixture
def chain_api(make_app: Any, clean_db: Engine, chain: Chain, test_settings: OperatorSettings) -> Iterator[Api]:
    """The API reading the session's anvil deployment record; the chain reverts after the test."""
    app = make_app(deployments_dir=test_settings.deployments_path)
    with TestClient(app, base_url="https://testserver") as client:
        yield Api(client, clean_db)


def _send(w3: Web3, sender: LocalAccount, call: dict[str, Any]) -> Any:
    """Send the answer's call exactly as a wallet would: to `to`, with `calldata` as the data."""
    tx = {"from": sender.address, "to": call["to"], "data": call["calldata"]}
    tx_hash = w3.eth.send_transaction(tx)  # type: ignore[arg-type]
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
    assert receipt["status"] == 1
    return receipt


def test_the_instructions_pay_this_investment_on_chain(
    chain_api: Api, chain: Chain, admin: LocalAccount, investors: list[LocalAccount]
) -> None:
    payer = investors[0]
    transact(chain.w3, admin, chain.ownership.functions.createProject(TOKEN, 1_000_000, compute_cid(b"api-crypto")))
    transact(chain.w3, admin, chain.ownership.functions.setAllowed(payer.address, True))
    transact(chain.w3, admin, chain.stablecoin.functions.mint(payer.address, 100 * 100 * UNITS_PER_CENT))
    project = add_project(chain_api.engine, TOKEN, 1_000_000)
    user, headers = investor(chain_api)
    link_wallet(chain_api.engine, user["id"], payer.address)

    answer = invest(chain_api, headers, project, method="crypto", wallet=payer.address.lower(), amount="25.17")
    assert answer.status_code == 201, answer.text
    inv, pay = answer.json()["data"]["investment"], answer.json()["data"]["payment"]
    assert pay["method"] == "crypto" and pay["chain_id"] == chain.w3.eth.chain_id
    assert pay["router"] == chain.router.address and pay["token"] == chain.stablecoin.address
    assert pay["token_decimals"] == chain.stablecoin.functions.decimals().call()
    assert pay["amount_units"] == str(2_517 * UNITS_PER_CENT) and pay["payment_ref"] == inv["payment_ref"]
    assert pay["payer"] == payer.address and inv["wallet"] == payer.address.lower()
    assert pay["pay"]["args"] == {
        "projectId": str(TOKEN),
        "token": chain.stablecoin.address,
        "amount": pay["amount_units"],
        "paymentRef": inv["payment_ref"],
    }

    _send(chain.w3, payer, pay["approve"])
    receipt = _send(chain.w3, payer, pay["pay"])
    (event,) = chain.router.events.PaymentReceived().process_receipt(receipt, errors=DISCARD)
    assert "0x" + event["args"]["paymentRef"].hex() == inv["payment_ref"]
    assert event["args"]["payer"] == payer.address and event["args"]["projectId"] == TOKEN
    assert event["args"]["token"] == chain.stablecoin.address and event["args"]["amount"] == 2_517 * UNITS_PER_CENT

    # The detail gives the same instructions again while the payment is not seen.
    detail = chain_api.client.get(f"/api/v1/investments/{inv['id']}", headers=headers).json()["data"]
    assert detail["payment"] == pay


def test_a_crypto_investment_needs_a_wallet_linked_to_the_account(chain_api: Api) -> None:
    project = add_project(chain_api.engine, TOKEN, 1_000_000)
    user, headers = investor(chain_api)
    someone, _ = investor(chain_api)
    theirs = "0x" + "cd" * 20
    link_wallet(chain_api.engine, someone["id"], theirs)
    none = invest(chain_api, headers, project, method="crypto", amount="25.00")
    assert none.status_code == 422 and none.json()["error"]["code"] == "WALLET_REQUIRED"
    for wallet in ("0x" + "ab" * 20, theirs, theirs.upper().replace("0X", "0x")):
        answer = invest(chain_api, headers, project, method="crypto", wallet=wallet, amount="25.00")
        assert answer.status_code == 422 and answer.json()["error"]["code"] == "WALLET_NOT_LINKED"
    assert count(chain_api.engine, "investments") == 0


def test_without_a_deployment_crypto_is_unavailable_and_nothing_is_stored(invest_api: Api) -> None:
    project = add_project(invest_api.engine, TOKEN, 1_000_000)
    user, headers = investor(invest_api)
    link_wallet(invest_api.engine, user["id"], "0x" + "ef" * 20)
    answer = invest(invest_api, headers, project, method="crypto", wallet="0x" + "ef" * 20, amount="25.00")
    assert answer.status_code == 503 and answer.json()["error"]["code"] == "CRYPTO_PAYMENTS_UNAVAILABLE"
    assert count(invest_api.engine, "investments") == 0
