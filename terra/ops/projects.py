"""Project administration on chain: create, allowlist, mint and read status (used by `terra` and ape scripts)."""

from __future__ import annotations

from dataclasses import dataclass

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.types import TxReceipt

from core.chain.abis import OWNERSHIP, load_abi
from core.chain.deployments import Deployment
from core.chain.transactions import transact


def ownership_contract(w3: Web3, deployment: Deployment) -> Contract:
    return w3.eth.contract(address=Web3.to_checksum_address(deployment.address(OWNERSHIP)), abi=load_abi(OWNERSHIP))


def payment_ref(text: str) -> bytes:
    """A 32-byte payment reference derived from an external id (Stripe event, order id...)."""
    return Web3.keccak(text=text)


def create_project(
    w3: Web3, deployment: Deployment, admin: LocalAccount, project_id: int, supply_cap_cents: int, metadata_cid: str
) -> TxReceipt:
    contract = ownership_contract(w3, deployment)
    return transact(w3, admin, contract.functions.createProject(project_id, supply_cap_cents, metadata_cid))


def allow(w3: Web3, deployment: Deployment, compliance: LocalAccount, accounts: list[str]) -> TxReceipt:
    contract = ownership_contract(w3, deployment)
    checksummed = [Web3.to_checksum_address(a) for a in accounts]
    return transact(w3, compliance, contract.functions.setAllowedBatch(checksummed, True))


def mint(
    w3: Web3, deployment: Deployment, minter: LocalAccount, project_id: int, investor: str, amount: int, ref: bytes
) -> TxReceipt:
    contract = ownership_contract(w3, deployment)
    call = contract.functions.mintInvestment(project_id, Web3.to_checksum_address(investor), amount, ref)
    return transact(w3, minter, call)


@dataclass(frozen=True)
class ProjectStatus:
    project_id: int
    supply_cap: int
    total_supply: int
    metadata_cid: str
    exited: bool

    @property
    def funded_percent(self) -> float:
        return 100 * self.total_supply / self.supply_cap if self.supply_cap else 0.0


def project_status(w3: Web3, deployment: Deployment, project_id: int) -> ProjectStatus | None:
    contract = ownership_contract(w3, deployment)
    cap, cid, exists, exited, _dao = contract.functions.project(project_id).call()
    if not exists:
        return None
    return ProjectStatus(project_id, cap, contract.functions.totalSupply(project_id).call(), cid, exited)


def project_ids_from_chain(w3: Web3, deployment: Deployment) -> list[int]:
    """Every created project, read from ProjectCreated logs since the deploy block."""
    contract = ownership_contract(w3, deployment)
    logs = contract.events.ProjectCreated.get_logs(from_block=deployment.deploy_block)
    return sorted({log["args"]["projectId"] for log in logs})
