"""Roles as production needs them: after a deploy with an explicit admin the deploying key can do nothing, the
relayer mints, allowlists and creates projects but grants nothing, the admin holds the rest. Local convenience
stays as it was."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction

from core.chain.abis import DISTRIBUTOR, OWNERSHIP, PAYMENT_ROUTER, STABLECOIN
from core.chain.accounts import anvil_account
from core.chain.compiler import Build
from core.chain.deployments import Deployment, load_deployment
from ipfs.cid import compute_cid
from terra.ops.deploy import (
    ADMIN,
    ALL_ROLES,
    COMPLIANCE,
    FUNDER,
    MINTER,
    PAUSER,
    PROJECT_ADMIN,
    DeployPlan,
    deploy,
    role_id,
    role_plan,
)
from tests.conftest import Chain
from tests.contracts.conftest import Send
from tests.contracts.reverts import reverts_with

CID = compute_cid(b"production project")


@pytest.fixture
def multisig() -> LocalAccount:
    """Stands in for the production multisig: an address that is neither the deployer nor the relayer."""
    return anvil_account(12)


@pytest.fixture
def production(
    chain: Chain, build: Build, admin: LocalAccount, minter: LocalAccount, treasury: LocalAccount,
    multisig: LocalAccount, tmp_path: Path,
) -> dict[str, Contract]:  # fmt: skip
    """A second deployment on the test's chain snapshot, production style: deployer `admin`, admin the multisig."""
    chain.w3.provider.make_request("anvil_setBalance", [multisig.address, hex(10**20)])  # type: ignore[arg-type]  # RPCEndpoint is a str NewType
    plan = DeployPlan(admin, minter.address, treasury.address, "https://x/{id}", admin=multisig.address)
    d = deploy(chain.w3, build, plan, tmp_path, report=lambda _m: None)
    return {
        name: chain.w3.eth.contract(address=Web3.to_checksum_address(d.address(name)), abi=build.contracts[name].abi)
        for name in d.contracts
    }


def _role_calls(c: dict[str, Contract], who: str) -> list[tuple[Contract, str, ContractFunction]]:
    """Every role-gated function of the contracts, with the role it needs."""
    own, router, distributor = c[OWNERSHIP], c[PAYMENT_ROUTER], c[DISTRIBUTOR]
    grant = role_id(MINTER)
    return [
        (own, PROJECT_ADMIN, own.functions.createProject(50, 1_000, CID)),
        (own, PROJECT_ADMIN, own.functions.distributeReturns(50, 1, 1, b"\x01" * 32, 0)),
        (own, MINTER, own.functions.mintInvestment(50, who, 1, b"\x02" * 32)),
        (own, MINTER, own.functions.mintInvestmentBatch([50], [who], [1], [b"\x03" * 32])),
        (own, COMPLIANCE, own.functions.setAllowed(who, True)),
        (own, COMPLIANCE, own.functions.setAllowedBatch([who], True)),
        (own, COMPLIANCE, own.functions.setFrozenTokens(who, 50, 1)),
        (own, COMPLIANCE, own.functions.forcedTransfer(who, who, 50, 1)),
        (own, PAUSER, own.functions.pause()),
        (own, PROJECT_ADMIN, own.functions.exitProject(50, who)),
        (own, ADMIN, own.functions.setURI("https://evil/{id}")),
        (own, ADMIN, own.functions.grantRole(grant, who)),
        (own, ADMIN, own.functions.revokeRole(grant, who)),
        (router, ADMIN, router.functions.setTokenAllowed(who, True)),
        (router, ADMIN, router.functions.setTreasury(who)),
        (router, PAUSER, router.functions.pause()),
        (router, ADMIN, router.functions.grantRole(role_id(PAUSER), who)),
        (distributor, FUNDER, distributor.functions.fund(50, 1, 2**40)),
        (distributor, ADMIN, distributor.functions.sweep(1, who)),
        (distributor, ADMIN, distributor.functions.grantRole(role_id(FUNDER), who)),
    ]


def test_after_a_production_deploy_the_deployer_holds_no_role_and_every_role_call_reverts(
    production: dict[str, Contract], admin: LocalAccount, send: Send
) -> None:
    for contract in (production[OWNERSHIP], production[PAYMENT_ROUTER], production[DISTRIBUTOR]):
        assert [r for r in ALL_ROLES if contract.functions.hasRole(role_id(r), admin.address).call()] == []
    for contract, role, call in _role_calls(production, admin.address):
        with reverts_with(contract, "AccessControlUnauthorizedAccount", admin.address, role_id(role)):
            send(admin, call)
    with reverts_with(production[STABLECOIN], "OwnableUnauthorizedAccount", admin.address):
        send(admin, production[STABLECOIN].functions.mint(admin.address, 1))


def test_the_relayer_holds_minter_compliance_and_project_admin_only_and_cannot_grant_roles(
    production: dict[str, Contract], minter: LocalAccount, investors: list[LocalAccount], send: Send
) -> None:
    own = production[OWNERSHIP]
    held = {r for r in ALL_ROLES if own.functions.hasRole(role_id(r), minter.address).call()}
    assert held == {MINTER, COMPLIANCE, PROJECT_ADMIN}
    assert not any(production[PAYMENT_ROUTER].functions.hasRole(role_id(r), minter.address).call() for r in ALL_ROLES)
    distributor = production[DISTRIBUTOR]
    assert {r for r in ALL_ROLES if distributor.functions.hasRole(role_id(r), minter.address).call()} == {FUNDER}
    send(minter, own.functions.setAllowed(investors[0].address, True))  # allowlisting: its job
    send(minter, own.functions.createProject(51, 1_000, CID))  # the catalogue's projects: its job too
    for contract, role, call in _role_calls(production, investors[0].address):
        if role in (MINTER, COMPLIANCE, PROJECT_ADMIN, FUNDER):
            continue
        with reverts_with(contract, "AccessControlUnauthorizedAccount", minter.address, role_id(role)):
            send(minter, call)


def test_the_admin_can_grant_roles_create_projects_and_pause(
    production: dict[str, Contract], multisig: LocalAccount, minter: LocalAccount, investors: list[LocalAccount],
    send: Send,
) -> None:  # fmt: skip
    own, router = production[OWNERSHIP], production[PAYMENT_ROUTER]
    send(multisig, own.functions.createProject(50, 1_000, CID))
    send(minter, own.functions.setAllowed(investors[0].address, True))
    send(minter, own.functions.mintInvestment(50, investors[0].address, 10, b"\x02" * 32))
    send(multisig, own.functions.grantRole(role_id(MINTER), investors[1].address))
    assert own.functions.hasRole(role_id(MINTER), investors[1].address).call()
    send(multisig, own.functions.pause())
    send(multisig, router.functions.pause())
    assert own.functions.paused().call() and router.functions.paused().call()


def test_the_deployment_file_records_each_contracts_roles(
    production: dict[str, Contract], tmp_path: Path, admin: LocalAccount, minter: LocalAccount,
    multisig: LocalAccount,
) -> None:  # fmt: skip
    d = load_deployment(tmp_path, 31337)
    assert d.deployer == admin.address
    assert d.roles[OWNERSHIP] == {
        ADMIN: [multisig.address],
        PROJECT_ADMIN: [multisig.address, minter.address],
        PAUSER: [multisig.address],
        MINTER: [minter.address],
        COMPLIANCE: [minter.address],
    }
    assert d.roles[PAYMENT_ROUTER] == {ADMIN: [multisig.address], PAUSER: [multisig.address]}
    assert d.roles[DISTRIBUTOR] == {ADMIN: [multisig.address], FUNDER: [minter.address]}
    assert production[DISTRIBUTOR].functions.token().call() == production[STABLECOIN].address
    assert production[DISTRIBUTOR].functions.ownership().call() == production[OWNERSHIP].address
    assert d.stablecoin == production[STABLECOIN].address


def test_a_local_deploy_without_admin_keeps_one_key_for_everything(
    chain: Chain, deployment: Deployment, admin: LocalAccount, minter: LocalAccount
) -> None:
    assert deployment.roles[OWNERSHIP] == {
        ADMIN: [admin.address],
        PROJECT_ADMIN: [admin.address, minter.address],
        PAUSER: [admin.address],
        COMPLIANCE: [admin.address, minter.address],
        MINTER: [minter.address],
    }
    for contract, roles in (
        (chain.ownership, deployment.roles[OWNERSHIP]),
        (chain.router, deployment.roles[PAYMENT_ROUTER]),
    ):
        for role, holders in roles.items():
            assert all(contract.functions.hasRole(role_id(role), h).call() for h in holders)


# ----- the plan (pure) ---------------------------------------------------------------------------

DEPLOYER, MULTISIG, RELAYER = (anvil_account(i).address for i in (0, 12, 1))
Refuse = Callable[[], object]


@pytest.mark.parametrize(
    "refused",
    [
        lambda: role_plan(DEPLOYER, None, (RELAYER,), 137),
        lambda: role_plan(DEPLOYER, DEPLOYER, (RELAYER,), 80002),
        lambda: role_plan(DEPLOYER, "0x" + "0" * 40, (RELAYER,), 137),
        lambda: role_plan(DEPLOYER, MULTISIG, (MULTISIG,), 137),
        lambda: role_plan(DEPLOYER, MULTISIG, (DEPLOYER,), 137),
    ],
    ids=[
        "no admin off a local chain",
        "admin is the deployer",
        "zero admin",
        "relayer is the admin",
        "relayer is the deployer",
    ],
)
def test_a_plan_without_an_independent_admin_or_with_an_overpowered_relayer_is_refused(refused: Refuse) -> None:
    with pytest.raises(ValueError):
        refused()


def test_the_production_plan_gives_the_deployer_nothing() -> None:
    plan = role_plan(DEPLOYER, MULTISIG, (RELAYER,), 137)
    assert all(DEPLOYER not in holders for roles in plan.values() for holders in roles.values())
