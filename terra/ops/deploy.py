"""Deploy the contracts, grant their roles and record the deployment for the services."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from eth_abi import encode
from eth_account.signers.local import LocalAccount
from web3 import Web3

from core.chain.abis import OWNERSHIP, PAYMENT_ROUTER, STABLECOIN
from core.chain.compiler import Build, CompiledContract
from core.chain.deployments import DeployedContract, Deployment, save_deployment
from core.chain.transactions import send, transact
from core.settings import LOCAL_CHAIN_IDS
from terra.ops import Report


@dataclass(frozen=True)
class DeployPlan:
    admin: LocalAccount
    minter: str
    treasury: str
    metadata_uri: str
    stablecoin: str | None = None  # an existing USDC on public chains; a test stablecoin is deployed on local ones


def _constructor_args(contract: CompiledContract, args: list[object]) -> str:
    ctor = next((item for item in contract.abi if item["type"] == "constructor"), None)
    if ctor is None:
        return ""
    return encode([i["type"] for i in ctor["inputs"]], args).hex()


def _deploy_one(w3: Web3, admin: LocalAccount, contract: CompiledContract, args: list[object]) -> DeployedContract:
    factory = w3.eth.contract(abi=contract.abi, bytecode=contract.bytecode)
    receipt = send(w3, admin, dict(factory.constructor(*args).build_transaction({"from": admin.address})))
    return DeployedContract(
        address=receipt["contractAddress"],
        tx_hash="0x" + receipt["transactionHash"].hex().removeprefix("0x"),
        block_number=receipt["blockNumber"],
        constructor_args=_constructor_args(contract, args),
    )


def role_id(name: str) -> bytes:
    return Web3.keccak(text=name)


def deploy(w3: Web3, build: Build, plan: DeployPlan, directory: Path, report: Report = print) -> Deployment:
    chain_id = w3.eth.chain_id
    admin = plan.admin
    c = build.contracts
    deployed: dict[str, DeployedContract] = {}

    deployed[OWNERSHIP] = _deploy_one(w3, admin, c[OWNERSHIP], [plan.metadata_uri, admin.address])
    report(f"{OWNERSHIP} at {deployed[OWNERSHIP].address}")
    ownership = w3.eth.contract(address=deployed[OWNERSHIP].address, abi=c[OWNERSHIP].abi)

    deployed[PAYMENT_ROUTER] = _deploy_one(
        w3, admin, c[PAYMENT_ROUTER], [deployed[OWNERSHIP].address, plan.treasury, admin.address]
    )
    report(f"{PAYMENT_ROUTER} at {deployed[PAYMENT_ROUTER].address}")
    router = w3.eth.contract(address=deployed[PAYMENT_ROUTER].address, abi=c[PAYMENT_ROUTER].abi)

    stablecoin = plan.stablecoin
    if stablecoin is None:
        if chain_id not in LOCAL_CHAIN_IDS:
            raise ValueError("a stablecoin address is required outside local chains")
        deployed[STABLECOIN] = _deploy_one(w3, admin, c[STABLECOIN], [admin.address])
        stablecoin = deployed[STABLECOIN].address
        report(f"{STABLECOIN} at {stablecoin}")

    roles = {
        "DEFAULT_ADMIN_ROLE": admin.address,
        "PROJECT_ADMIN_ROLE": admin.address,
        "PAUSER_ROLE": admin.address,
        "COMPLIANCE_ROLE": admin.address,
        "MINTER_ROLE": plan.minter,
    }
    for role, holder in roles.items():
        if role != "DEFAULT_ADMIN_ROLE":
            transact(w3, admin, ownership.functions.grantRole(role_id(role), holder))
    transact(w3, admin, router.functions.grantRole(role_id("PAUSER_ROLE"), admin.address))
    transact(w3, admin, router.functions.setTokenAllowed(stablecoin, True))
    report(f"roles granted: minter {plan.minter}, admin/project admin/pauser/compliance {admin.address}")

    deployment = Deployment(
        chain_id=chain_id,
        solc_version=build.solc_version,
        standard_input_sha256=build.input_sha256,
        standard_input_file=f"{chain_id}.standard-input.json",
        contracts=deployed,
        roles=roles | {"stablecoin": stablecoin, "treasury": plan.treasury},
    )
    path = save_deployment(directory, deployment, build.standard_input)
    report(f"recorded in {path}")
    return deployment
