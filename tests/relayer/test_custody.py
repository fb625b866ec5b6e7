"""Custodial addresses: BIP-44 accounts of the relayer's mnemonic, index 1 up; the mnemonic never shows."""

from __future__ import annotations

import pytest
from eth_account import Account
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from core.chain.accounts import ANVIL_MNEMONIC
from core.chain.errors import MissingKey
from core.redact import redact
from core.settings import load_settings
from relayer.custody import Custody
from relayer.settings import RelayerSettings

# m/44'/60'/0'/0/1 and /2 of anvil's public mnemonic: the well-known dev accounts 1 and 2.
ANVIL_1 = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"
ANVIL_2 = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc"


def test_a_configured_mnemonic_gives_the_bip44_account_of_each_index() -> None:
    custody = Custody(SecretStr(ANVIL_MNEMONIC), 137)
    assert custody.address(1) == ANVIL_1 and custody.address(2) == ANVIL_2
    assert custody.address(1) == custody.address(1)


def test_index_zero_is_the_minter_and_never_a_custodial_account() -> None:
    with pytest.raises(ValueError, match="start at 1"):
        Custody(SecretStr(ANVIL_MNEMONIC), 137).address(0)


def test_without_a_mnemonic_only_a_local_chain_gets_addresses_and_none_is_a_funded_dev_account() -> None:
    with pytest.raises(MissingKey, match="RELAYER_MNEMONIC"):
        Custody(None, 137)
    local = Custody(None, 31337)
    assert {local.address(i) for i in range(1, 10)}.isdisjoint({ANVIL_1, ANVIL_2})


def test_the_mnemonic_is_scrubbed_from_anything_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    words = "legal winner thank year wave sausage worth useful legal winner thank yellow"
    monkeypatch.setenv("RELAYER_MNEMONIC", words)
    settings = load_settings(RelayerSettings)
    assert words not in repr(settings)
    assert words not in redact(f"failed to derive from {words}")


@settings(max_examples=25, deadline=None)
@given(index=st.integers(min_value=1, max_value=2**31 - 1), configured=st.booleans())
def test_the_cached_parent_derivation_gives_the_libraries_bip44_address(index: int, configured: bool) -> None:
    # The parent node is derived once per process; each user costs one child step. Same address as the library.
    custody = Custody(SecretStr(ANVIL_MNEMONIC) if configured else None, 137 if configured else 31337)
    path = f"m/44'/60'/{0 if configured else 1}'/0/{index}"
    assert custody.address(index) == Account.from_mnemonic(ANVIL_MNEMONIC, account_path=path).address.lower()
