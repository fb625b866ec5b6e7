"""The two ways in, end to end on the real pieces: anvil with the contracts, PostgreSQL, the indexer and the relayer
(tests/relayer/support.py's stack), the FAKE Stripe delivering signed webhooks, the FAKE KYC provider posting its
signed result, and the API under uvicorn on loopback (so that both fakes reach it over HTTP).

Card: register → KYC → invest → the PaymentIntent confirmed with a test card on the local Stripe → webhook → mint →
indexed → the portfolio shows it, and the WebSocket opened before paying pushed it.
MetaMask: Sign-In with Ethereum → KYC → invest by stablecoin with the API's instructions (`approve` + `pay`) → the
payment final → mint → the portfolio shows the wallet's tokens."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import uvicorn
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from siwe import ISO8601Datetime, SiweMessage
from websockets.sync.client import connect

from api.app import create_app
from api.settings import LOCAL_FAKE_KYC_API_TOKEN, LOCAL_FAKE_KYC_WEBHOOK_TOKEN
from core.chain.compiler import Build
from core.chain.transactions import transact
from core.stripe.client import stripe_client
from terra.local.anvil import free_port
from terra.local.fake_kyc import FakeKyc
from tests.api.conftest import STRONG_PASSWORD, api_settings
from tests.api.investments.support import add_project
from tests.indexer.mirror_support import start_private_chain
from tests.relayer.support import BIG_PROJECT, Stack, relayer_stack, setup_projects, wait_for


@dataclass
class Flow:
    stack: Stack
    base: str
    project_id: str
    http: httpx.Client

    def bearer(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def verify_kyc(self, token: str) -> None:
        started = self.http.post(
            "/api/v1/users/kyc", json={"first_name": "Ada", "last_name": "Lovelace"}, headers=self.bearer(token)
        )
        assert started.status_code == 201, started.text

        def verified() -> bool:
            status = self.http.get("/api/v1/users/kyc/status", headers=self.bearer(token)).json()["data"]
            return bool(status["status"] == "verified")

        wait_for("the FAKE KYC provider's approval", verified, timeout=60)

    def invest(self, token: str, **body: Any) -> dict[str, Any]:
        answer = self.http.post(
            "/api/v1/investments", json={"project_id": self.project_id, **body}, headers=self.bearer(token)
        )
        assert answer.status_code == 201, answer.text
        data: dict[str, Any] = answer.json()["data"]
        return data

    def completed(self, token: str, investment_id: str) -> dict[str, Any]:
        def probe() -> dict[str, Any] | None:
            data: dict[str, Any] = self.http.get(
                f"/api/v1/investments/{investment_id}", headers=self.bearer(token)
            ).json()["data"]
            return data if data["status"] in ("completed", "final") else None

        return wait_for(f"investment {investment_id} completed", probe, timeout=120)

    def holding(self, token: str) -> dict[str, Any] | None:
        portfolio = self.http.get("/api/v1/portfolio", headers=self.bearer(token)).json()["data"]
        return next((h for h in portfolio["holdings"] if h["token_id"] == str(BIG_PROJECT)), None)


@pytest.fixture(scope="module")
def flow(build: Build, database_url: str) -> Iterator[Flow]:
    chain = start_private_chain(build)
    fake_kyc = FakeKyc(
        webhook_url=None,
        api_token=LOCAL_FAKE_KYC_API_TOKEN,
        webhook_token=LOCAL_FAKE_KYC_WEBHOOK_TOKEN,
        approve_after=0.3,
        retry_delays=(0.2, 0.5, 1.0, 2.0),
    ).start()
    try:
        setup_projects(chain)
        with relayer_stack(chain, database_url) as stack:
            assert stack.fake is not None
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            settings = api_settings(
                api_port=port,
                rpc_url=chain.url,
                deployments_dir=chain.deployments_dir,
                stripe_api_base=stack.fake.url,
                kyc_fake=True,
                kyc_api_base=fake_kyc.url,
                api_siwe_domain=f"127.0.0.1:{port}",
                api_siwe_uri=base,
                api_siwe_chain_id=31337,
                api_siwe_rpc_url=chain.url,
            )
            server = uvicorn.Server(
                uvicorn.Config(create_app(settings, engine=stack.engine), host="127.0.0.1", port=port,
                               log_config=None, access_log=False)
            )  # fmt: skip
            thread = threading.Thread(target=server.run, name="flow-api", daemon=True)
            thread.start()
            deadline = time.monotonic() + 30
            while not server.started and thread.is_alive() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert server.started, "the API did not start"
            fake_kyc.sender.url = base + "/api/v1/kyc/webhook"
            wait_for("the indexer to mirror the projects", lambda: stack.sql("SELECT 1 FROM chain_projects"))
            project_id = add_project(stack.engine, BIG_PROJECT, 10**9, on_chain=False)
            try:
                with httpx.Client(base_url=base, timeout=30) as http:
                    yield Flow(stack, base, str(project_id), http)
            finally:
                server.should_exit = True
                thread.join(15)
    finally:
        fake_kyc.stop()
        chain.anvil.stop()


def _receive_until(socket: Any, wanted: Any, timeout: float = 90.0) -> dict[str, Any]:
    """Read pushed messages until one satisfies `wanted` (every push is read, none is skipped)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message: dict[str, Any] = json.loads(socket.recv(timeout=max(0.1, deadline - time.monotonic())))
        if wanted(message):
            return message
    raise AssertionError("no such push arrived")


def test_the_card_flow_from_sign_up_to_tokens_pushed_to_the_portfolio(flow: Flow) -> None:
    email = f"card-{datetime.now(UTC):%H%M%S%f}@example.org"
    registered = flow.http.post(
        "/api/v1/users/register", json={"email": email, "password": STRONG_PASSWORD, "country": "DE"}
    )
    assert registered.status_code == 201, registered.text
    login = flow.http.post("/api/v1/users/login", json={"email": email, "password": STRONG_PASSWORD})
    token = login.json()["data"]["access_token"]
    flow.verify_kyc(token)

    ws_url = flow.base.replace("http://", "ws://") + f"/ws/portfolio?token={token}"
    with connect(ws_url, open_timeout=30) as socket:
        first = json.loads(socket.recv(timeout=30))
        assert first["type"] == "portfolio_update" and first["data"]["holdings"] == []

        created = flow.invest(token, amount="42.00", method="card")
        payment = created["payment"]
        assert payment["client_secret"] and payment["publishable_key"]
        # What Stripe.js does with the client secret: the card, confirmed at the (local, FAKE) Stripe.
        confirmed = stripe_client(flow.stack.settings).v1.payment_intents.confirm(
            payment["payment_intent_id"], params={"payment_method": "pm_card_visa"}
        )
        assert confirmed.status == "succeeded"

        pushed = _receive_until(socket, lambda m: any(h["token_id"] == str(BIG_PROJECT) for h in m["data"]["holdings"]))
        (held,) = [h for h in pushed["data"]["holdings"] if h["token_id"] == str(BIG_PROJECT)]
        assert held["balance"] == "4200" and held["value_cents"] == "4200"

    done = flow.completed(token, created["investment"]["id"])
    assert done["mint_tx_hash"] and done["recipient"]
    holding = flow.holding(token)
    assert holding is not None and holding["balance"] == "4200"
    assert [a["address"] for a in holding["addresses"]] == [done["recipient"]]
    on_chain = flow.stack.chain.contracts.ownership.functions.balanceOf(
        flow.stack.chain.w3.to_checksum_address(done["recipient"]), BIG_PROJECT
    ).call()
    assert on_chain == 4200


def _sign_in_with_ethereum(flow: Flow, wallet: LocalAccount) -> str:
    nonce = flow.http.post("/api/v1/auth/siwe/nonce").json()["data"]
    message = SiweMessage(
        domain=nonce["domain"],
        address=wallet.address,
        uri=nonce["uri"],
        version="1",
        chain_id=nonce["chain_id"],
        issued_at=str(ISO8601Datetime.from_datetime(datetime.now(UTC))),
        nonce=nonce["nonce"],
        statement="Sign in to Terra Lumina.",
    ).prepare_message()
    signature = "0x" + wallet.sign_message(encode_defunct(text=message)).signature.hex()
    answer = flow.http.post("/api/v1/auth/siwe/verify", json={"message": message, "signature": signature})
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["data"]["access_token"]
    return token


def test_the_metamask_flow_from_sign_in_with_ethereum_to_the_wallets_tokens(flow: Flow) -> None:
    chain = flow.stack.chain
    wallet = chain.investors[5]
    token = _sign_in_with_ethereum(flow, wallet)
    flow.verify_kyc(token)

    created = flow.invest(token, amount="12.34", method="crypto", wallet=wallet.address)
    pay = created["payment"]
    assert pay["chain_id"] == 31337 and int(pay["amount_units"]) == 12_340_000
    transact(chain.w3, chain.admin, chain.contracts.stablecoin.functions.mint(wallet.address, int(pay["amount_units"])))
    for call in (pay["approve"], pay["pay"]):  # what MetaMask signs: the API's calls, as they are
        tx = chain.w3.eth.send_transaction({"from": wallet.address, "to": call["to"], "data": call["calldata"]})
        assert chain.w3.eth.wait_for_transaction_receipt(tx)["status"] == 1
    flow.stack.finalize()  # a stablecoin payment confirms once final

    done = flow.completed(token, created["investment"]["id"])
    assert done["recipient"] == wallet.address.lower()
    holding = wait_for("the portfolio to show the wallet's tokens", lambda: flow.holding(token))
    assert holding["balance"] == "1234"
    assert [a["address"] for a in holding["addresses"]] == [wallet.address.lower()]
