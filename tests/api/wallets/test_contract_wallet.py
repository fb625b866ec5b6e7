"""A contract wallet (EIP-1271) signs in and links through the RPC: its owner's signature of the SIWE message is
accepted for the contract's address, anyone else's refused; with the RPC down the answer says so (503), while an
EOA's sign-in, which needs no chain, still works."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from web3.contract import Contract

from api.app import create_app
from terra.local.anvil import Anvil, free_port
from tests.api.conftest import Api
from tests.api.wallets.conftest import Siwe, counts, siwe_app_settings

ContractWallet = tuple[Contract, LocalAccount]


def test_the_owner_s_signature_signs_in_the_contract_wallet(siwe: Siwe, contract_wallet: ContractWallet) -> None:
    wallet, owner = contract_wallet
    answer = siwe.verify(siwe.signed(owner, address=wallet.address))
    assert answer.status_code == 200, answer.text
    [linked] = siwe.wallets(answer.json()["data"]["access_token"])
    assert (linked["address"], linked["kind"]) == (wallet.address, "contract")


def test_a_contract_wallet_links_to_an_account(siwe: Siwe, contract_wallet: ContractWallet) -> None:
    wallet, owner = contract_wallet
    _user, token = siwe.api.user_with_token()
    answer = siwe.link(token, siwe.signed(owner, address=wallet.address))
    assert answer.status_code == 201, answer.text
    assert answer.json()["data"]["kind"] == "contract"


def test_a_signature_by_someone_else_than_the_owner_is_refused(siwe: Siwe, contract_wallet: ContractWallet) -> None:
    wallet, _owner = contract_wallet
    before = counts(siwe.api.engine)
    answer = siwe.verify(siwe.signed(Account.create(), address=wallet.address))
    assert (answer.status_code, answer.json()["error"]["code"]) == (401, "SIWE_SIGNATURE_INVALID")
    assert counts(siwe.api.engine) == before


@pytest.fixture
def siwe_without_rpc(clean_db: Engine, anvil: Anvil) -> Iterator[Siwe]:
    settings = siwe_app_settings(anvil, api_siwe_rpc_url=f"http://127.0.0.1:{free_port()}")  # nothing listens
    with TestClient(create_app(settings, engine=clean_db), base_url="https://testserver") as client:
        yield Siwe(Api(client, clean_db), anvil.chain_id)


def test_with_the_rpc_down_a_contract_wallet_is_answered_503_and_an_eoa_still_signs_in(
    siwe_without_rpc: Siwe, contract_wallet: ContractWallet, fresh_account: LocalAccount
) -> None:
    siwe = siwe_without_rpc
    wallet, owner = contract_wallet
    before = counts(siwe.api.engine)
    answer = siwe.verify(siwe.signed(owner, address=wallet.address))
    assert (answer.status_code, answer.json()["error"]["code"]) == (503, "WALLET_CHECK_UNAVAILABLE")
    assert counts(siwe.api.engine) == before
    assert siwe.verify(siwe.signed(fresh_account)).status_code == 200
