"""Per-command wiring: settings, chain connection, deployment and accounts, from the environment and flags."""

from __future__ import annotations

from dataclasses import dataclass

from eth_account.signers.local import LocalAccount
from web3 import Web3

from core.chain.accounts import LOCAL_DEPLOYER, LOCAL_RELAYER, LOCAL_TREASURY, account_for, anvil_account
from core.chain.connection import connect
from core.chain.deployments import Deployment, load_deployment
from core.settings import LOCAL_CHAIN_IDS, Settings, get_settings


@dataclass
class ChainContext:
    settings: Settings
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
        return account_for(self.settings.relayer_private_key, self.chain_id, LOCAL_RELAYER, "relayer")

    def minter_address(self) -> str:
        if self.settings.relayer_address:
            return Web3.to_checksum_address(self.settings.relayer_address)
        return self.minter().address

    def treasury_address(self) -> str:
        if self.settings.treasury_address:
            return Web3.to_checksum_address(self.settings.treasury_address)
        if self.is_local:
            return anvil_account(LOCAL_TREASURY).address
        raise ValueError("TREASURY_ADDRESS is not set")


def chain_context(rpc_url: str | None, chain_id: int | None = None, settings: Settings | None = None) -> ChainContext:
    settings = settings or get_settings()
    w3 = connect(rpc_url or settings.rpc_url, chain_id if chain_id is not None else settings.chain_id)
    return ChainContext(settings, w3)
