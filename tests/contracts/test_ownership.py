"""TerraLuminaOwnership on a real anvil: every function, every revert, every event and its arguments."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.logs import DISCARD

from ipfs.cid import compute_cid
from terra.ops.deploy import role_id
from tests.conftest import Chain
from tests.contracts.conftest import Send
from tests.contracts.reverts import reverts_with

REF = Web3.keccak(text="payment-1")
REF2 = Web3.keccak(text="payment-2")
CID = compute_cid(b"project 42 metadata")


role = role_id  # the id deploy grants, by name


def events(contract_event, receipt):  # type: ignore[no-untyped-def]
    return [e["args"] for e in contract_event().process_receipt(receipt, errors=DISCARD)]


# ----- createProject -----------------------------------------------------------------------------


def test_create_project_records_cap_cid_and_emits(chain: Chain, admin: LocalAccount, send: Send) -> None:
    receipt = send(admin, chain.ownership.functions.createProject(42, 5_000_000, CID))
    (ev,) = events(chain.ownership.events.ProjectCreated, receipt)
    assert (ev["projectId"], ev["supplyCap"], ev["metadataCid"]) == (42, 5_000_000, CID)
    assert chain.ownership.functions.project(42).call() == [5_000_000, CID, True, False, "0x" + "0" * 40]


def test_create_project_requires_project_admin(chain: Chain, investors: list[LocalAccount], send: Send) -> None:
    with reverts_with(
        chain.ownership, "AccessControlUnauthorizedAccount", investors[0].address, role("PROJECT_ADMIN_ROLE")
    ):
        send(investors[0], chain.ownership.functions.createProject(1, 100, CID))


def test_create_project_twice_reverts(chain: Chain, admin: LocalAccount, send: Send, project: int) -> None:
    with reverts_with(chain.ownership, "ProjectAlreadyExists", project):
        send(admin, chain.ownership.functions.createProject(project, 100, CID))


def test_create_project_rejects_zero_cap_and_empty_cid(chain: Chain, admin: LocalAccount, send: Send) -> None:
    with reverts_with(chain.ownership, "InvalidSupplyCap"):
        send(admin, chain.ownership.functions.createProject(9, 0, CID))
    with reverts_with(chain.ownership, "InvalidMetadataCid", ""):
        send(admin, chain.ownership.functions.createProject(9, 100, ""))


# ----- mintInvestment ----------------------------------------------------------------------------


def test_mint_investment_mints_and_emits_both_events(
    chain: Chain, minter: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    investor = investors[0].address
    receipt = send(minter, chain.ownership.functions.mintInvestment(project, investor, 1_000, REF))
    (minted,) = events(chain.ownership.events.InvestmentMinted, receipt)
    assert (minted["projectId"], minted["investor"], minted["amount"], minted["paymentRef"]) == (
        project,
        investor,
        1_000,
        REF,
    )
    (transfer,) = events(chain.ownership.events.TransferSingle, receipt)
    assert (transfer["from"], transfer["to"], transfer["id"], transfer["value"]) == (
        "0x" + "0" * 40,
        investor,
        project,
        1_000,
    )
    assert transfer["operator"] == minter.address
    assert chain.ownership.functions.balanceOf(investor, project).call() == 1_000
    assert chain.ownership.functions.totalSupply(project).call() == 1_000
    assert chain.ownership.functions.paymentRefUsed(REF).call() is True


def test_mint_requires_minter_role(
    chain: Chain, admin: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    with reverts_with(chain.ownership, "AccessControlUnauthorizedAccount", admin.address, role("MINTER_ROLE")):
        send(admin, chain.ownership.functions.mintInvestment(project, investors[0].address, 1, REF))


def test_mint_unknown_project_reverts(
    chain: Chain, minter: LocalAccount, investors: list[LocalAccount], send: Send
) -> None:
    with reverts_with(chain.ownership, "UnknownProject", 999):
        send(minter, chain.ownership.functions.mintInvestment(999, investors[0].address, 1, REF))


def test_mint_over_cap_reverts_and_exact_cap_succeeds(
    chain: Chain, minter: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    send(minter, chain.ownership.functions.mintInvestment(project, investors[0].address, 60_000, REF))
    with reverts_with(chain.ownership, "SupplyCapExceeded", project, 100_000, 100_001):
        send(minter, chain.ownership.functions.mintInvestment(project, investors[1].address, 40_001, REF2))
    send(minter, chain.ownership.functions.mintInvestment(project, investors[1].address, 40_000, REF2))
    assert chain.ownership.functions.totalSupply(project).call() == 100_000


def test_mint_with_reused_payment_ref_reverts(
    chain: Chain, minter: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    send(minter, chain.ownership.functions.mintInvestment(project, investors[0].address, 10, REF))
    with reverts_with(chain.ownership, "PaymentRefAlreadyUsed", REF):
        send(minter, chain.ownership.functions.mintInvestment(project, investors[1].address, 10, REF))


def test_mint_to_investor_not_allowlisted_reverts(
    chain: Chain, minter: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    outsider = investors[5].address
    with reverts_with(chain.ownership, "AccountNotAllowed", outsider):
        send(minter, chain.ownership.functions.mintInvestment(project, outsider, 10, REF))


def test_mint_zero_amount_reverts(
    chain: Chain, minter: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    with reverts_with(chain.ownership, "ZeroAmount"):
        send(minter, chain.ownership.functions.mintInvestment(project, investors[0].address, 0, REF))


def test_mint_while_paused_reverts(
    chain: Chain, admin: LocalAccount, minter: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    send(admin, chain.ownership.functions.pause())
    with reverts_with(chain.ownership, "EnforcedPause"):
        send(minter, chain.ownership.functions.mintInvestment(project, investors[0].address, 10, REF))


def test_mint_after_exit_reverts(
    chain: Chain, admin: LocalAccount, minter: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    send(admin, chain.ownership.functions.exitProject(project, investors[6].address))
    with reverts_with(chain.ownership, "ProjectIsExited", project):
        send(minter, chain.ownership.functions.mintInvestment(project, investors[0].address, 10, REF))


# ----- mintInvestmentBatch -----------------------------------------------------------------------


def test_batch_mint_mints_each_entry(
    chain: Chain, minter: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    refs = [Web3.keccak(text=f"batch-{i}") for i in range(3)]
    holders = [i.address for i in investors[:3]]
    receipt = send(minter, chain.ownership.functions.mintInvestmentBatch([project] * 3, holders, [1, 2, 3], refs))
    minted = events(chain.ownership.events.InvestmentMinted, receipt)
    got = [(m["investor"], m["amount"], m["paymentRef"]) for m in minted]
    assert got == list(zip(holders, [1, 2, 3], refs, strict=True))
    assert chain.ownership.functions.totalSupply(project).call() == 6


def test_batch_mint_is_all_or_nothing(
    chain: Chain, minter: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    holders = [investors[0].address, investors[1].address]
    with reverts_with(chain.ownership, "PaymentRefAlreadyUsed", REF):
        send(minter, chain.ownership.functions.mintInvestmentBatch([project, project], holders, [5, 5], [REF, REF]))
    assert chain.ownership.functions.totalSupply(project).call() == 0
    assert chain.ownership.functions.paymentRefUsed(REF).call() is False


def test_batch_mint_length_mismatch_reverts(
    chain: Chain, minter: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    with reverts_with(chain.ownership, "LengthMismatch"):
        send(minter, chain.ownership.functions.mintInvestmentBatch([project], [investors[0].address], [1, 2], [REF]))


def test_batch_mint_requires_minter(
    chain: Chain, admin: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    with reverts_with(chain.ownership, "AccessControlUnauthorizedAccount", admin.address, role("MINTER_ROLE")):
        send(admin, chain.ownership.functions.mintInvestmentBatch([project], [investors[0].address], [1], [REF]))


# ----- transfers, allowlist, pause ---------------------------------------------------------------


def _fund(chain: Chain, minter: LocalAccount, send: Send, project: int, holder: str, amount: int = 500) -> None:
    send(minter, chain.ownership.functions.mintInvestment(project, holder, amount, Web3.keccak(text=f"fund-{holder}")))


def test_transfer_between_allowlisted_holders(
    chain: Chain, minter: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    a, b = investors[0], investors[1]
    _fund(chain, minter, send, project, a.address)
    send(a, chain.ownership.functions.safeTransferFrom(a.address, b.address, project, 200, b""))
    assert chain.ownership.functions.balanceOf(b.address, project).call() == 200
    assert chain.ownership.functions.totalSupply(project).call() == 500


def test_transfer_to_address_not_allowlisted_reverts(
    chain: Chain, minter: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    a, outsider = investors[0], investors[5]
    _fund(chain, minter, send, project, a.address)
    with reverts_with(chain.ownership, "AccountNotAllowed", outsider.address):
        send(a, chain.ownership.functions.safeTransferFrom(a.address, outsider.address, project, 1, b""))


def test_holder_removed_from_allowlist_cannot_send(
    chain: Chain, admin: LocalAccount, minter: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    a, b = investors[0], investors[1]
    _fund(chain, minter, send, project, a.address)
    receipt = send(admin, chain.ownership.functions.setAllowed(a.address, False))
    (ev,) = events(chain.ownership.events.AllowlistUpdated, receipt)
    assert (ev["account"], ev["allowed"]) == (a.address, False)
    with reverts_with(chain.ownership, "AccountNotAllowed", a.address):
        send(a, chain.ownership.functions.safeTransferFrom(a.address, b.address, project, 1, b""))


def test_allowlist_requires_compliance_role(chain: Chain, investors: list[LocalAccount], send: Send) -> None:
    with reverts_with(
        chain.ownership, "AccessControlUnauthorizedAccount", investors[0].address, role("COMPLIANCE_ROLE")
    ):
        send(investors[0], chain.ownership.functions.setAllowed(investors[0].address, True))
    with reverts_with(
        chain.ownership, "AccessControlUnauthorizedAccount", investors[0].address, role("COMPLIANCE_ROLE")
    ):
        send(investors[0], chain.ownership.functions.setAllowedBatch([investors[0].address], True))


def test_allowlist_rejects_zero_address(chain: Chain, admin: LocalAccount, send: Send) -> None:
    with reverts_with(chain.ownership, "ZeroAddress"):
        send(admin, chain.ownership.functions.setAllowed("0x" + "0" * 40, True))


def test_pause_stops_transfers_until_unpaused(
    chain: Chain, admin: LocalAccount, minter: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    a, b = investors[0], investors[1]
    _fund(chain, minter, send, project, a.address)
    receipt = send(admin, chain.ownership.functions.pause())
    assert events(chain.ownership.events.Paused, receipt)[0]["account"] == admin.address
    with reverts_with(chain.ownership, "EnforcedPause"):
        send(a, chain.ownership.functions.safeTransferFrom(a.address, b.address, project, 1, b""))
    receipt = send(admin, chain.ownership.functions.unpause())
    assert events(chain.ownership.events.Unpaused, receipt)[0]["account"] == admin.address
    send(a, chain.ownership.functions.safeTransferFrom(a.address, b.address, project, 1, b""))


def test_pause_requires_pauser(chain: Chain, investors: list[LocalAccount], send: Send) -> None:
    with reverts_with(chain.ownership, "AccessControlUnauthorizedAccount", investors[0].address, role("PAUSER_ROLE")):
        send(investors[0], chain.ownership.functions.pause())


# ----- exit --------------------------------------------------------------------------------------


def test_exit_emits_and_freezes_transfers(
    chain: Chain, admin: LocalAccount, minter: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    a, b, dao = investors[0], investors[1], investors[6]
    _fund(chain, minter, send, project, a.address)
    receipt = send(admin, chain.ownership.functions.exitProject(project, dao.address))
    (ev,) = events(chain.ownership.events.ProjectExited, receipt)
    assert (ev["projectId"], ev["communityDao"]) == (project, dao.address)
    assert chain.ownership.functions.project(project).call()[3:] == [True, dao.address]
    with reverts_with(chain.ownership, "ProjectIsExited", project):
        send(a, chain.ownership.functions.safeTransferFrom(a.address, b.address, project, 1, b""))
    with reverts_with(chain.ownership, "ProjectIsExited", project):
        send(admin, chain.ownership.functions.exitProject(project, dao.address))


def test_exit_requires_the_project_admin_and_a_dao(
    chain: Chain, admin: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    who = investors[0].address
    with reverts_with(chain.ownership, "AccessControlUnauthorizedAccount", who, role("PROJECT_ADMIN_ROLE")):
        send(investors[0], chain.ownership.functions.exitProject(project, investors[6].address))
    with reverts_with(chain.ownership, "ZeroAddress"):
        send(admin, chain.ownership.functions.exitProject(project, "0x" + "0" * 40))
    with reverts_with(chain.ownership, "UnknownProject", 555):
        send(admin, chain.ownership.functions.exitProject(555, investors[6].address))


# ----- distributions -----------------------------------------------------------------------------


def test_distribute_returns_records_root_and_emits(chain: Chain, admin: LocalAccount, send: Send, project: int) -> None:
    root = Web3.keccak(text="root")
    snapshot = chain.w3.eth.block_number
    receipt = send(admin, chain.ownership.functions.distributeReturns(project, 1, 12_345, root, snapshot))
    (ev,) = events(chain.ownership.events.ReturnsDistributed, receipt)
    assert (ev["projectId"], ev["distributionId"], ev["totalAmount"], ev["merkleRoot"], ev["snapshotBlock"]) == (
        project,
        1,
        12_345,
        root,
        snapshot,
    )
    assert chain.ownership.functions.distribution(project, 1).call() == [12_345, root, snapshot]


def test_distribute_returns_reverts(
    chain: Chain, admin: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    root = Web3.keccak(text="root")
    now = chain.w3.eth.block_number
    with reverts_with(
        chain.ownership, "AccessControlUnauthorizedAccount", investors[0].address, role("PROJECT_ADMIN_ROLE")
    ):
        send(investors[0], chain.ownership.functions.distributeReturns(project, 1, 1, root, now))
    with reverts_with(chain.ownership, "UnknownProject", 404):
        send(admin, chain.ownership.functions.distributeReturns(404, 1, 1, root, now))
    with reverts_with(chain.ownership, "SnapshotInFuture", now + 100):
        send(admin, chain.ownership.functions.distributeReturns(project, 1, 1, root, now + 100))
    with reverts_with(chain.ownership, "ZeroAmount"):
        send(admin, chain.ownership.functions.distributeReturns(project, 1, 0, root, now))
    send(admin, chain.ownership.functions.distributeReturns(project, 1, 1, root, now))
    with reverts_with(chain.ownership, "DistributionAlreadyRecorded", project, 1):
        send(admin, chain.ownership.functions.distributeReturns(project, 1, 1, root, now))


# ----- uri, roles, interfaces --------------------------------------------------------------------


def test_uri_follows_erc1155_id_convention_and_admin_can_change_it(
    chain: Chain, admin: LocalAccount, investors: list[LocalAccount], send: Send
) -> None:
    assert chain.ownership.functions.uri(3).call() == "https://terra.example/api/v1/metadata/{id}"
    with reverts_with(chain.ownership, "AccessControlUnauthorizedAccount", investors[0].address, bytes(32)):
        send(investors[0], chain.ownership.functions.setURI("https://evil/{id}"))
    send(admin, chain.ownership.functions.setURI("https://api.terralumina.org/api/v1/metadata/{id}"))
    assert chain.ownership.functions.uri(3).call() == "https://api.terralumina.org/api/v1/metadata/{id}"


def test_roles_granted_at_deploy(chain: Chain, admin: LocalAccount, minter: LocalAccount) -> None:
    has = chain.ownership.functions.hasRole
    assert has(role("MINTER_ROLE"), minter.address).call()
    assert not has(role("MINTER_ROLE"), admin.address).call()
    for name in ("PROJECT_ADMIN_ROLE", "PAUSER_ROLE", "COMPLIANCE_ROLE"):
        assert has(role(name), admin.address).call()
    assert has(bytes(32), admin.address).call()


def test_supports_erc1155_and_access_control_interfaces(chain: Chain) -> None:
    supports = chain.ownership.functions.supportsInterface
    assert supports(bytes.fromhex("d9b67a26")).call()  # ERC-1155
    assert supports(bytes.fromhex("0e89341c")).call()  # ERC-1155 metadata URI
    assert supports(bytes.fromhex("7965db0b")).call()  # AccessControl
    assert not supports(bytes.fromhex("ffffffff")).call()
