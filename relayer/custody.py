"""Custodial addresses of card payers: BIP-44 account `m/44'/60'/0'/0/{index}` of the relayer's mnemonic.

Index 0 is the minter key itself, so users start at 1. Only addresses leave this module; the keys stay in the
relayer process. On a local chain without a mnemonic, anvil's public development mnemonic stands in, under account
1' (`m/44'/60'/1'/0/{index}`) so that no custodial address is one of anvil's funded role accounts.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from eth_account import Account
from eth_account.hdaccount import seed_from_mnemonic
from eth_account.hdaccount.deterministic import Node, derive_child_key
from eth_keys.datatypes import PrivateKey
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
        self._parent = "m/44'/60'/0'/0" if mnemonic is not None else "m/44'/60'/1'/0"

    def address(self, index: int) -> str:
        if index < 1:
            raise ValueError("custodial account indexes start at 1 (0 is the minter key)")
        words = self._mnemonic.get_secret_value() if self._mnemonic is not None else ANVIL_MNEMONIC
        return _derive(words, self._parent, index)


SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


@lru_cache(maxsize=4)
def _parent_node(words: str, parent: str) -> tuple[int, bytes, bytes]:
    """(key, chain code, compressed public key) of the account-level node: the seed's PBKDF2 and the steps down
    to the parent are done once per process, not once per user (together they cost several times the user's own
    step, most of a card payer's first payment)."""
    root = hmac.new(b"Bitcoin seed", seed_from_mnemonic(words, ""), hashlib.sha512).digest()
    key, chain_code = root[:32], root[32:]
    for part in parent.split("/")[1:]:
        key, chain_code = derive_child_key(key, chain_code, Node.decode(part))
    return int.from_bytes(key, "big"), chain_code, PrivateKey(key).public_key.to_compressed_bytes()


@lru_cache(maxsize=4096)
def _derive(words: str, parent: str, index: int) -> str:
    """BIP-32 soft child `index` of the cached parent (what `Account.from_mnemonic(parent/index)` gives: tested):
    one HMAC and one point multiplication for the address. Cached: the cache never leaves the process."""
    parent_key, chain_code, parent_public = _parent_node(words, parent)
    i = hmac.new(chain_code, parent_public + index.to_bytes(4, "big"), hashlib.sha512).digest()
    tweak = int.from_bytes(i[:32], "big")
    child = (tweak + parent_key) % SECP256K1_N
    if tweak >= SECP256K1_N or child == 0:  # BIP-32: probability below 2^-127; the library's own rule then
        return str(Account.from_mnemonic(words, account_path=f"{parent}/{index}").address).lower()
    return str(Account.from_key(child.to_bytes(32, "big")).address).lower()
