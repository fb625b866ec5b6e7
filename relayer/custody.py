"""Custodial addresses of card payers: BIP-44 account `m/44'/60'/0'/0/{index}` of the relayer's mnemonic.

Index 0 is the minter key itself, so users start at 1. Only addresses leave this module; the keys stay in the
relayer process. On a local chain without a mnemonic, anvil's public development mnemonic stands in, under account
1' (`m/44'/60'/1'/0/{index}`) so that no custodial address is one of anvil's funded role accounts.
"""

from __future__ import annotations

from functools import lru_cache

from eth_account import Account
from pydantic import SecretStr

from core.chain.accounts import ANVIL_MNEMONIC
from core.chain.errors import MissingKey
from core.settings import LOCAL_CHAIN_IDS

Account.enable_unaudited_hdwallet_features()


class Custody:
    def __init__(self, mnemonic: SecretStr | None, chain_id: int) -> None:
        if mnemonic is None and chain_id not in LOCAL_CHAIN_IDS:
            raise MissingKey(f"RELAYER_MNEMONIC is needed for card payers' custodial addresses on chain id {chain_id}")
        self._mnemonic = mnemonic
        self._path = "m/44'/60'/0'/0/{}" if mnemonic is not None else "m/44'/60'/1'/0/{}"

    def address(self, index: int) -> str:
        if index < 1:
            raise ValueError("custodial account indexes start at 1 (0 is the minter key)")
        words = self._mnemonic.get_secret_value() if self._mnemonic is not None else ANVIL_MNEMONIC
        return _derive(words, self._path.format(index))


@lru_cache(maxsize=4096)
def _derive(words: str, path: str) -> str:
    # cached by (words, path): derivation costs a few ms, and the cache never leaves the process
    return str(Account.from_mnemonic(words, account_path=path).address).lower()
