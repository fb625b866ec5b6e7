"""Signing accounts: keys from settings; on local chains only, anvil's public development accounts as fallback."""

from __future__ import annotations

from eth_account import Account
from eth_account.signers.local import LocalAccount
from pydantic import SecretStr

from core.chain.errors import MissingKey
from core.settings import LOCAL_CHAIN_IDS

# anvil's well-known development mnemonic: public, funded only on local chains, never valid elsewhere.
ANVIL_MNEMONIC = "test test test test test test test test test test test junk"

# Roles of anvil's development accounts in the local stack.
LOCAL_DEPLOYER, LOCAL_RELAYER, LOCAL_TREASURY = 0, 1, 2
LOCAL_INVESTORS = (3, 4, 5, 6)

Account.enable_unaudited_hdwallet_features()


def anvil_account(index: int) -> LocalAccount:
    account: LocalAccount = Account.from_mnemonic(ANVIL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")
    return account


def account_for(key: SecretStr | None, chain_id: int, local_index: int, what: str) -> LocalAccount:
    if key is not None:
        account: LocalAccount = Account.from_key(key.get_secret_value())
        return account
    if chain_id in LOCAL_CHAIN_IDS:
        return anvil_account(local_index)
    raise MissingKey(f"{what} key is not configured for chain id {chain_id} (set it in the environment)")
