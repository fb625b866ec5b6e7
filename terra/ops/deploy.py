"""Deploy the contracts, grant their roles and record the deployment for the services.

Production (an explicit admin, a multisig): the admin gets the admin, project-admin and pauser roles; the relayer
key(s) the minter, compliance and project-admin roles (the API never signs: the relayer executes what administrators
decide) and the Distributor's funder role, nothing else; the deploying key renounces every role it held, so after
the deploy it can do nothing. Local chains without an admin keep the convenience of one key for everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from eth_abi.abi import encode
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract

from core.chain.abis import DISTRIBUTOR, OWNERSHIP, PAYMENT_ROUTER, STABLECOIN
from core.chain.compiler import Build, CompiledContract
from core.chain.deployments import DeployedContract, Deployment, RoleHolders, save_deployment
from core.chain.transactions import send, transact
from core.settings import LOCAL_CHAIN_IDS
from terra.ops import Report

ADMIN, PROJECT_ADMIN, MINTER, PAUSER, COMPLIANCE, FUNDER = (
    "DEFAULT_ADMIN_ROLE",
    "PROJECT_ADMIN_ROLE",
    "MINTER_ROLE",
    "PAUSER_ROLE",
    "COMPLIANCE_ROLE",
    "FUNDER_ROLE",
)
ALL_ROLES = (ADMIN, PROJECT_ADMIN, MINTER, PAUSER, COMPLIANCE, FUNDER)
ZERO_ADDRESS = "0x" + "0" * 40


@dataclass(frozen=True)
class DeployPlan:
    deployer: LocalAccount  # signs the deployment; holds no role afterwards unless it is the local convenience admin
    minter: str  # the relayer's key: minter, compliance and project-admin roles
    treasury: str
    metadata_uri: str
    stablecoin: str | None = None  # an existing USDC on public chains; a test stablecoin is deployed on local ones
    admin: str | None = None  # the admin (a multisig); None only on local chains, where the deployer keeps it all
    more_relayers: tuple[str, ...] = ()  # further relayer keys, granted the same roles as `minter`

    @property
    def relayers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(Web3.to_checksum_address(a) for a in (self.minter, *self.more_relayers)))


def role_id(name: str) -> bytes:
    """The id AccessControl uses for a role: 0x00…00 for the admin role, keccak256 of the name otherwise."""
    return bytes(32) if name == ADMIN else bytes(Web3.keccak(text=name))


def role_plan(deployer: str, admin: str | None, relayers: tuple[str, ...], chain_id: int) -> dict[str, RoleHolders]:
    """Who holds which role on each contract once the deploy is done. Raises ValueError on a plan that would leave
    the contracts without an independent admin, or give a relayer key more than it needs."""
    deployer = Web3.to_checksum_address(deployer)
    local = chain_id in LOCAL_CHAIN_IDS
    if admin is None or Web3.to_checksum_address(admin) == deployer:
        if not local:
            raise ValueError(
                f"an admin address other than the deploying key is required on chain id {chain_id} "
                "(`--admin`, a multisig in production)"
            )
        boss = deployer  # local convenience: the deploying key holds every role but the minter's
        ownership_admin_roles: tuple[str, ...] = (ADMIN, PROJECT_ADMIN, PAUSER, COMPLIANCE)
    else:
        boss = Web3.to_checksum_address(admin)
        if boss == ZERO_ADDRESS:
            raise ValueError("the admin cannot be the zero address")
        for relayer in relayers:
            if relayer in (deployer, boss):
                raise ValueError(f"the relayer key {relayer} must be neither the deploying key nor the admin")
        ownership_admin_roles = (ADMIN, PROJECT_ADMIN, PAUSER)
    ownership: RoleHolders = {role: [boss] for role in ownership_admin_roles}
    ownership[MINTER] = list(relayers)
    ownership[COMPLIANCE] = [*ownership.get(COMPLIANCE, []), *relayers]
    # The relayer executes what administrators decide in the API (create a project, record a distribution, exit):
    # the API never signs, so the project admin's calls go through the relayer's transaction manager.
    ownership[PROJECT_ADMIN] = [*ownership[PROJECT_ADMIN], *relayers]
    # The relayer funds recorded distributions (and claims for custodial holders, which needs no role).
    distributor: RoleHolders = {ADMIN: [boss], FUNDER: list(relayers)}
    return {OWNERSHIP: ownership, PAYMENT_ROUTER: {ADMIN: [boss], PAUSER: [boss]}, DISTRIBUTOR: distributor}


def _constructor_args(contract: CompiledContract, args: list[object]) -> str:
    ctor = next((item for item in contract.abi if item["type"] == "constructor"), None)
    if ctor is None:
        return ""
    return encode([i["type"] for i in ctor["inputs"]], args).hex()


def _deploy_one(w3: Web3, deployer: LocalAccount, contract: CompiledContract, args: list[object]) -> DeployedContract:
    factory = w3.eth.contract(abi=contract.abi, bytecode=contract.bytecode)
    receipt = send(w3, deployer, dict(factory.constructor(*args).build_transaction({"from": deployer.address})))
    return DeployedContract(
        address=Web3.to_checksum_address(str(receipt["contractAddress"])),
        tx_hash="0x" + receipt["transactionHash"].hex().removeprefix("0x"),
        block_number=receipt["blockNumber"],
        constructor_args=_constructor_args(contract, args),
    )


def _apply_roles(w3: Web3, deployer: LocalAccount, contract: Contract, holders: RoleHolders) -> None:
    """Grant the planned roles, then renounce every role the deployer holds outside the plan (the admin role,
    which grants the others, last)."""
    for role, accounts in holders.items():
        for account in accounts:
            if not contract.functions.hasRole(role_id(role), account).call():
                transact(w3, deployer, contract.functions.grantRole(role_id(role), account))
    for role in sorted(set(ALL_ROLES), key=lambda r: r == ADMIN):
        kept = deployer.address in holders.get(role, [])
        if not kept and contract.functions.hasRole(role_id(role), deployer.address).call():
            transact(w3, deployer, contract.functions.renounceRole(role_id(role), deployer.address))


def _check_roles(contract: Contract, name: str, holders: RoleHolders, deployer: str) -> None:
    """Read the roles back from the chain: the recorded plan must be what the contract enforces."""
    for role in ALL_ROLES:
        planned = holders.get(role, [])
        for account in {*planned, deployer}:
            held = contract.functions.hasRole(role_id(role), account).call()
            if held != (account in planned):
                raise RuntimeError(f"{name}: {account} {'holds' if held else 'lacks'} {role} against the plan")


def deploy(w3: Web3, build: Build, plan: DeployPlan, directory: Path, report: Report = print) -> Deployment:
    chain_id = w3.eth.chain_id
    deployer = plan.deployer
    roles = role_plan(deployer.address, plan.admin, plan.relayers, chain_id)  # refuse a bad plan before any write
    if plan.stablecoin is None and chain_id not in LOCAL_CHAIN_IDS:
        raise ValueError("a stablecoin address is required outside local chains")
    c = build.contracts
    deployed: dict[str, DeployedContract] = {}

    deployed[OWNERSHIP] = _deploy_one(w3, deployer, c[OWNERSHIP], [plan.metadata_uri, deployer.address])
    report(f"{OWNERSHIP} at {deployed[OWNERSHIP].address}")
    ownership = w3.eth.contract(address=Web3.to_checksum_address(deployed[OWNERSHIP].address), abi=c[OWNERSHIP].abi)

    deployed[PAYMENT_ROUTER] = _deploy_one(
        w3, deployer, c[PAYMENT_ROUTER], [deployed[OWNERSHIP].address, plan.treasury, deployer.address]
    )
    report(f"{PAYMENT_ROUTER} at {deployed[PAYMENT_ROUTER].address}")
    router = w3.eth.contract(
        address=Web3.to_checksum_address(deployed[PAYMENT_ROUTER].address), abi=c[PAYMENT_ROUTER].abi
    )

    boss = roles[PAYMENT_ROUTER][ADMIN][0]
    stablecoin = plan.stablecoin
    if stablecoin is None:
        deployed[STABLECOIN] = _deploy_one(w3, deployer, c[STABLECOIN], [boss])
        stablecoin = deployed[STABLECOIN].address
        report(f"{STABLECOIN} at {stablecoin}")

    deployed[DISTRIBUTOR] = _deploy_one(
        w3, deployer, c[DISTRIBUTOR], [deployed[OWNERSHIP].address, stablecoin, deployer.address]
    )
    report(f"{DISTRIBUTOR} at {deployed[DISTRIBUTOR].address}")
    distributor = w3.eth.contract(
        address=Web3.to_checksum_address(deployed[DISTRIBUTOR].address), abi=c[DISTRIBUTOR].abi
    )

    # Deployer-only setup first: once the roles are applied, the deploying key may hold nothing.
    transact(w3, deployer, router.functions.setTokenAllowed(Web3.to_checksum_address(stablecoin), True))
    for name, contract in ((OWNERSHIP, ownership), (PAYMENT_ROUTER, router), (DISTRIBUTOR, distributor)):
        _apply_roles(w3, deployer, contract, roles[name])
        _check_roles(contract, name, roles[name], deployer.address)
    relayers = ", ".join(plan.relayers)
    if boss == deployer.address:
        report(
            f"roles granted: minter/compliance/project admin {relayers}, every other role the deploying key {boss} "
            "(local)"
        )
    else:
        report(
            f"roles granted: admin/project admin/pauser {boss}, minter/compliance/project admin {relayers}; "
            "deployer renounced"
        )

    deployment = Deployment(
        chain_id=chain_id,
        solc_version=build.solc_version,
        standard_input_sha256=build.input_sha256,
        standard_input_file=f"{chain_id}.standard-input.json",
        contracts=deployed,
        roles=roles,
        deployer=deployer.address,
        stablecoin=Web3.to_checksum_address(stablecoin),
        treasury=Web3.to_checksum_address(plan.treasury),
    )
    path = save_deployment(directory, deployment, build.standard_input)
    report(f"recorded in {path}")
    return deployment
