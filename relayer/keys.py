"""The relayer's signing key: RELAYER_PRIVATE_KEY, or account 0 of RELAYER_MNEMONIC; on local chains only,
anvil's public account 1 when neither is set."""

from __future__ import annotations

from eth_account import Account
from eth_account.signers.local import LocalAccount

from core.chain.accounts import LOCAL_RELAYER, account_for
from relayer.settings import RelayerSettings

Account.enable_unaudited_hdwallet_features()


def minter_account(settings: RelayerSettings, chain_id: int) -> LocalAccount:
    if settings.relayer_private_key is None and settings.relayer_mnemonic is not None:
        account: LocalAccount = Account.from_mnemonic(
            settings.relayer_mnemonic.get_secret_value(), account_path="m/44'/60'/0'/0/0"
        )
        return account
    return account_for(settings.relayer_private_key, chain_id, LOCAL_RELAYER, "relayer (minter)")
