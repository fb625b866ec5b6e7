"""Calls to the ownership contract that several services make: create a project, allowlist, mint, freeze and claw
back (ERC-7943), read a project.

Each call comes as a builder (`*_call`, a web3 ContractFunction a transaction manager can sign and send as it
wishes) and as a send-and-wait wrapper for operator commands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.types import TxReceipt

from core.chain.abis import OWNERSHIP, load_abi
from core.chain.deployments import Deployment
from core.chain.transactions import transact


def ownership_contract(w3: Web3, deployment: Deployment) -> Contract:
    return w3.eth.contract(address=Web3.to_checksum_address(deployment.address(OWNERSHIP)), abi=load_abi(OWNERSHIP))


@dataclass(frozen=True)
class Mint:
    """One investment to mint: `amount` units (cents) of `project_id` to `investor` for the payment `payment_ref`."""

    project_id: int
    investor: str
    amount: int
    payment_ref: bytes


@dataclass(frozen=True)
class Project:
    """A project as the contract records it, with the amount raised (its total supply, in cents)."""

    project_id: int
    supply_cap: int
    metadata_cid: str
    exited: bool
    community_dao: str | None
    total_supply: int


# ----- builders ----------------------------------------------------------------------------------


def create_project_call(
    contract: Contract, project_id: int, supply_cap_cents: int, metadata_cid: str
) -> ContractFunction:
    return contract.functions.createProject(project_id, supply_cap_cents, metadata_cid)


def allow_call(contract: Contract, accounts: Sequence[str], allowed: bool = True) -> ContractFunction:
    return contract.functions.setAllowedBatch([Web3.to_checksum_address(a) for a in accounts], allowed)


def mint_call(contract: Contract, mint: Mint) -> ContractFunction:
    return contract.functions.mintInvestment(
        mint.project_id, Web3.to_checksum_address(mint.investor), mint.amount, mint.payment_ref
    )


def mint_batch_call(contract: Contract, mints: Sequence[Mint]) -> ContractFunction:
    return contract.functions.mintInvestmentBatch(
        [m.project_id for m in mints],
        [Web3.to_checksum_address(m.investor) for m in mints],
        [m.amount for m in mints],
        [m.payment_ref for m in mints],
    )


def freeze_call(contract: Contract, account: str, project_id: int, amount: int) -> ContractFunction:
    """Set the frozen amount of `account`'s units of `project_id` to `amount` (absolute; 0 releases; may exceed the
    balance). Compliance role."""
    return contract.functions.setFrozenTokens(Web3.to_checksum_address(account), project_id, amount)


def forced_transfer_call(contract: Contract, from_: str, to: str, project_id: int, amount: int) -> ContractFunction:
    """Move `amount` units of `project_id` from `from_` to `to` (allowlisted: the treasury for a clawback) whatever
    the freeze; lowers the freeze to what is left when needed. Compliance role; reverts while paused or exited."""
    return contract.functions.forcedTransfer(
        Web3.to_checksum_address(from_), Web3.to_checksum_address(to), project_id, amount
    )


# ----- send and wait -----------------------------------------------------------------------------


def create_project(
    w3: Web3, deployment: Deployment, admin: LocalAccount, project_id: int, supply_cap_cents: int, metadata_cid: str
) -> TxReceipt:
    contract = ownership_contract(w3, deployment)
    return transact(w3, admin, create_project_call(contract, project_id, supply_cap_cents, metadata_cid))


def allow(
    w3: Web3, deployment: Deployment, compliance: LocalAccount, accounts: Sequence[str], allowed: bool = True
) -> TxReceipt:
    return transact(w3, compliance, allow_call(ownership_contract(w3, deployment), accounts, allowed))


def mint(w3: Web3, deployment: Deployment, minter: LocalAccount, investment: Mint) -> TxReceipt:
    return transact(w3, minter, mint_call(ownership_contract(w3, deployment), investment))


def mint_batch(w3: Web3, deployment: Deployment, minter: LocalAccount, mints: Sequence[Mint]) -> TxReceipt:
    return transact(w3, minter, mint_batch_call(ownership_contract(w3, deployment), mints))


def freeze(
    w3: Web3, deployment: Deployment, compliance: LocalAccount, account: str, project_id: int, amount: int
) -> TxReceipt:
    return transact(w3, compliance, freeze_call(ownership_contract(w3, deployment), account, project_id, amount))


def forced_transfer(
    w3: Web3, deployment: Deployment, compliance: LocalAccount, from_: str, to: str, project_id: int, amount: int
) -> TxReceipt:
    call = forced_transfer_call(ownership_contract(w3, deployment), from_, to, project_id, amount)
    return transact(w3, compliance, call)


# ----- reads -------------------------------------------------------------------------------------


def read_project(w3: Web3, deployment: Deployment, project_id: int) -> Project | None:
    """The project, or None when it was never created."""
    contract = ownership_contract(w3, deployment)
    cap, cid, exists, exited, dao = contract.functions.project(project_id).call()
    if not exists:
        return None
    total = contract.functions.totalSupply(project_id).call()
    return Project(project_id, cap, cid, exited, dao if exited else None, total)


def is_minted(w3: Web3, deployment: Deployment, payment_ref: bytes) -> bool:
    """Whether a mint already used `payment_ref` (what a relayer checks before sending a mint again)."""
    return bool(ownership_contract(w3, deployment).functions.paymentRefUsed(payment_ref).call())


def is_allowed(w3: Web3, deployment: Deployment, account: str) -> bool:
    return bool(ownership_contract(w3, deployment).functions.isAllowed(Web3.to_checksum_address(account)).call())


def project_ids(w3: Web3, deployment: Deployment) -> list[int]:
    """Every created project, read from ProjectCreated logs since the deploy block."""
    logs = ownership_contract(w3, deployment).events.ProjectCreated.get_logs(from_block=deployment.deploy_block)
    return sorted({log["args"]["projectId"] for log in logs})


def frozen_tokens(w3: Web3, deployment: Deployment, account: str, project_id: int) -> int:
    """Units of `project_id` frozen for `account` (may exceed its balance)."""
    contract = ownership_contract(w3, deployment)
    return int(contract.functions.getFrozenTokens(Web3.to_checksum_address(account), project_id).call())
