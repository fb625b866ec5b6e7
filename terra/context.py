"""Per-command wiring: settings, chain connection, deployment and accounts, from the environment and flags.

Keys come from the settings of the process they belong to: the deployer's from the operator settings, the minter's
(only for the local demo and the `ape run mint` script, which act as the relayer) from the relayer's, read when
asked for and not before."""

from __future__ import annotations

from dataclasses import dataclass

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from core.chain.accounts import LOCAL_DEPLOYER, LOCAL_RELAYER, LOCAL_TREASURY, account_for, anvil_account
from core.chain.connection import connect
from core.chain.deployments import Deployment, load_deployment
from core.settings import LOCAL_CHAIN_IDS, load_settings
from terra.ops.settings import OperatorSettings


@dataclass
class ChainContext:
    settings: OperatorSettings
    w3: Web3

    @property
    def chain_id(self) -> int:
        return int(self.w3.eth.chain_id)

    @property
    def is_local(self) -> bool:
        return self.chain_id in LOCAL_CHAIN_IDS

    def deployment(self) -> Deployment:
        return load_deployment(self.settings.deployments_path, self.chain_id)

    def admin(self) -> LocalAccount:
        return account_for(self.settings.deployer_private_key, self.chain_id, LOCAL_DEPLOYER, "deployer")

    def minter(self) -> LocalAccount:
        """The relayer's key, read from the relayer's settings: only for commands that mint as the relayer."""
        from relayer.settings import RelayerSettings

        relayer = load_settings(RelayerSettings)
        if relayer.relayer_private_key is None and relayer.relayer_mnemonic is not None:
            account: LocalAccount = Account.from_mnemonic(relayer.relayer_mnemonic.get_secret_value())
            return account
        return account_for(relayer.relayer_private_key, self.chain_id, LOCAL_RELAYER, "relayer")

    def minter_address(self) -> str:
        """Granted the minter role at deploy: RELAYER_ADDRESS, or anvil's account 1 on a local chain."""
        if self.settings.relayer_address:
            return Web3.to_checksum_address(self.settings.relayer_address)
        if self.is_local:
            return anvil_account(LOCAL_RELAYER).address
        raise ValueError("RELAYER_ADDRESS is not set (the address of the relayer's minter key)")

    def treasury_address(self) -> str:
        if self.settings.treasury_address:
            return Web3.to_checksum_address(self.settings.treasury_address)
        if self.is_local:
            return anvil_account(LOCAL_TREASURY).address
        raise ValueError("TREASURY_ADDRESS is not set")


def operator_settings(rpc_url: str | None = None) -> OperatorSettings:
    """From the environment; `--rpc-url` replaces RPC_URL, and a bad one is named as the option."""
    if rpc_url is None:
        return load_settings(OperatorSettings)
    return load_settings(OperatorSettings, names={"rpc_url": "--rpc-url"}, rpc_url=rpc_url)


def chain_context(
    rpc_url: str | None, chain_id: int | None = None, settings: OperatorSettings | None = None
) -> ChainContext:
    settings = settings or operator_settings(rpc_url)
    w3 = connect(rpc_url or settings.rpc_url, chain_id if chain_id is not None else settings.chain_id)
    return ChainContext(settings, w3)
