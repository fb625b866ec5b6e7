"""Sign-In with Ethereum against the API on the session's PostgreSQL and a real anvil: helpers that fetch a nonce,
write the EIP-4361 message (the pinned `siwe` library's own serialisation) and sign it with eth_account, and a
contract wallet (EIP-1271, tests only) compiled from contracts/ beside this file and deployed on anvil."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from siwe import ISO8601Datetime, SiweMessage
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from web3 import Web3
from web3.contract import Contract

from core.chain.accounts import anvil_account
from core.chain.compiler import compile_input
from core.models import SiweNonce, User, UserWallet
from terra.local.anvil import Anvil
from tests.api.conftest import Api, api_settings, bearer

DOMAIN = "terra.test"
URI = "https://terra.test"
WALLET_SOURCE = Path(__file__).parent / "contracts" / "TestContractWallet.sol"


def now_iso() -> str:
    return str(ISO8601Datetime.from_datetime(datetime.now(UTC)))


@dataclass
class Siwe:
    api: Api
    chain_id: int

    def nonce(self, client: TestClient | None = None) -> str:
        answer = (client or self.api.client).post("/api/v1/auth/siwe/nonce")
        assert answer.status_code == 201, answer.text
        value: str = answer.json()["data"]["nonce"]
        return value

    def message(self, address: str, nonce: str | None = None, **fields: Any) -> str:
        values: dict[str, Any] = {
            "domain": DOMAIN,
            "address": address,
            "uri": URI,
            "version": "1",
            "chain_id": self.chain_id,
            "issued_at": now_iso(),
            "nonce": nonce or self.nonce(),
            "statement": "Sign in to Terra Lumina.",
        }
        return SiweMessage(**(values | fields)).prepare_message()

    @staticmethod
    def sign(account: LocalAccount, text: str) -> str:
        return "0x" + account.sign_message(encode_defunct(text=text)).signature.hex()

    def signed(self, account: LocalAccount, **fields: Any) -> dict[str, str]:
        """A body for verify or link: `account` signs a message for its own address (or `address=...`)."""
        text = self.message(fields.pop("address", account.address), **fields)
        return {"message": text, "signature": self.sign(account, text)}

    def verify(self, body: dict[str, Any], client: TestClient | None = None) -> httpx.Response:
        return (client or self.api.client).post("/api/v1/auth/siwe/verify", json=body)

    def sign_in(self, account: LocalAccount) -> dict[str, Any]:
        answer = self.verify(self.signed(account))
        assert answer.status_code == 200, answer.text
        data: dict[str, Any] = answer.json()["data"]
        return data

    def link(self, token: str, body: dict[str, Any]) -> httpx.Response:
        return self.api.client.post("/api/v1/users/me/wallets", json=body, headers=bearer(token))

    def wallets(self, token: str) -> list[dict[str, Any]]:
        answer = self.api.client.get("/api/v1/users/me/wallets", headers=bearer(token))
        assert answer.status_code == 200, answer.text
        data: list[dict[str, Any]] = answer.json()["data"]
        return data


def counts(engine: Engine) -> dict[str, int]:
    """Rows a refused request must not have added: accounts, wallets, nonces consumed."""
    with Session(engine) as session:
        return {
            "users": session.scalar(select(func.count()).select_from(User)) or 0,
            "wallets": session.scalar(select(func.count()).select_from(UserWallet)) or 0,
            "consumed": session.scalar(select(func.count()).where(SiweNonce.consumed_at.is_not(None))) or 0,
        }


def siwe_app_settings(anvil: Anvil, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "api_siwe_domain": DOMAIN,
        "api_siwe_uri": URI,
        "api_siwe_chain_id": anvil.chain_id,
        "api_siwe_rpc_url": anvil.url,
    }
    return api_settings(**(values | overrides))


@pytest.fixture
def siwe(clean_db: Engine, anvil: Anvil) -> Iterator[Siwe]:
    from api.app import create_app

    with TestClient(create_app(siwe_app_settings(anvil), engine=clean_db), base_url="https://testserver") as client:
        yield Siwe(Api(client, clean_db), anvil.chain_id)


@pytest.fixture
def fresh_account() -> LocalAccount:
    """A key no other test uses: a wallet never seen before."""
    account: LocalAccount = Account.create()
    return account


# ----- contract wallet (EIP-1271) ----------------------------------------------------------------
@pytest.fixture(scope="session")
def wallet_build() -> Any:
    source = f"contracts/test/{WALLET_SOURCE.name}"  # compile_input keeps sources named under contracts/
    standard_input = {
        "language": "Solidity",
        "sources": {source: {"content": WALLET_SOURCE.read_text()}},
        "settings": {
            "optimizer": {"enabled": True, "runs": 200},
            "evmVersion": "cancun",
            "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]}},
        },
    }
    return compile_input(standard_input).contracts["TestContractWallet"]


@pytest.fixture
def contract_wallet(w3: Web3, wallet_build: Any) -> Iterator[tuple[Contract, LocalAccount]]:
    """A TestContractWallet owned by a fresh key, deployed by a funded anvil account; the chain reverted after."""
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[attr-defined]
    deployer, owner = anvil_account(9), Account.create()
    factory = w3.eth.contract(abi=wallet_build.abi, bytecode=wallet_build.bytecode)
    tx = factory.constructor(owner.address).build_transaction(
        {"from": deployer.address, "nonce": w3.eth.get_transaction_count(deployer.address)}
    )
    tx_hash = w3.eth.send_raw_transaction(deployer.sign_transaction(tx).raw_transaction)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
    assert receipt["status"] == 1
    yield w3.eth.contract(address=receipt["contractAddress"], abi=wallet_build.abi), owner
    w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[attr-defined]
