"""ERC-7943 on TerraLuminaOwnership, on a real anvil: frozen units cannot move, forced transfers claw back whatever
the freeze, every case with its revert, its event and its role."""

from __future__ import annotations

import pytest
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.types import TxReceipt

from core.chain.payment_ref import payment_ref
from terra.ops.deploy import role_id
from tests.conftest import Chain
from tests.contracts.conftest import Deploy, Send
from tests.contracts.reverts import reverts_with
from tests.contracts.test_ownership import events

ERC7943_MULTI_TOKEN = bytes.fromhex("41c4fbad")  # the interface id ERC-7943 names for ERC-1155 tokens
MINTED = 1_000


@pytest.fixture
def holder(chain: Chain, minter: LocalAccount, investors: list[LocalAccount], send: Send, project: int) -> LocalAccount:
    """investors[0], holding MINTED units of the project (allowlisted by the `project` fixture)."""
    send(minter, chain.ownership.functions.mintInvestment(project, investors[0].address, MINTED, payment_ref("c-1")))
    return investors[0]


@pytest.fixture
def clawback_to(chain: Chain, admin: LocalAccount, treasury: LocalAccount, send: Send) -> str:
    """The treasury, allowlisted: where clawed-back units go."""
    send(admin, chain.ownership.functions.setAllowed(treasury.address, True))
    return treasury.address


def _balance(chain: Chain, account: str, project: int) -> int:
    return int(chain.ownership.functions.balanceOf(account, project).call())


def _frozen(chain: Chain, account: str, project: int) -> int:
    return int(chain.ownership.functions.getFrozenTokens(account, project).call())


def _event_names(chain: Chain, receipt: TxReceipt) -> list[str]:
    """The names of the ownership contract's events in the receipt, in log order."""
    by_topic = {
        "0x" + Web3.keccak(text=f"{e['name']}({','.join(i['type'] for i in e['inputs'])})").hex().removeprefix("0x"): e[
            "name"
        ]
        for e in chain.ownership.abi
        if e["type"] == "event"
    }
    return [by_topic["0x" + log["topics"][0].hex().removeprefix("0x")] for log in receipt["logs"]]


# ----- setFrozenTokens ---------------------------------------------------------------------------


def test_set_frozen_tokens_records_the_absolute_amount_and_emits_frozen(
    chain: Chain, admin: LocalAccount, holder: LocalAccount, send: Send, project: int
) -> None:
    receipt = send(admin, chain.ownership.functions.setFrozenTokens(holder.address, project, 600))
    (ev,) = events(chain.ownership.events.Frozen, receipt)
    assert (ev["account"], ev["projectId"], ev["amount"]) == (holder.address, project, 600)
    assert _frozen(chain, holder.address, project) == 600
    send(admin, chain.ownership.functions.setFrozenTokens(holder.address, project, 250))  # replaces, never adds
    assert _frozen(chain, holder.address, project) == 250


def test_a_freeze_may_exceed_the_balance_and_mints_to_a_frozen_account_still_land(
    chain: Chain, admin: LocalAccount, minter: LocalAccount, holder: LocalAccount, send: Send, project: int
) -> None:
    send(admin, chain.ownership.functions.setFrozenTokens(holder.address, project, 1_500))
    assert _frozen(chain, holder.address, project) == 1_500
    send(minter, chain.ownership.functions.mintInvestment(project, holder.address, 700, payment_ref("c-2")))
    assert _balance(chain, holder.address, project) == 1_700
    assert chain.ownership.functions.canTransfer(holder.address, holder.address, project, 200).call()
    assert not chain.ownership.functions.canTransfer(holder.address, holder.address, project, 201).call()


def test_set_frozen_tokens_refuses_an_unknown_project_and_the_zero_address(
    chain: Chain, admin: LocalAccount, holder: LocalAccount, send: Send, project: int
) -> None:
    with reverts_with(chain.ownership, "UnknownProject", 99):
        send(admin, chain.ownership.functions.setFrozenTokens(holder.address, 99, 1))
    with reverts_with(chain.ownership, "ZeroAddress"):
        send(admin, chain.ownership.functions.setFrozenTokens("0x" + "0" * 40, project, 1))


def test_set_frozen_tokens_works_while_paused(
    chain: Chain, admin: LocalAccount, holder: LocalAccount, send: Send, project: int
) -> None:
    send(admin, chain.ownership.functions.pause())
    send(admin, chain.ownership.functions.setFrozenTokens(holder.address, project, 10))
    assert _frozen(chain, holder.address, project) == 10


# ----- transfers of frozen units -----------------------------------------------------------------


def test_frozen_units_cannot_be_transferred_and_the_unfrozen_part_can(
    chain: Chain, admin: LocalAccount, holder: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    own, to = chain.ownership, investors[1].address
    send(admin, own.functions.setFrozenTokens(holder.address, project, 600))
    with reverts_with(own, "ERC7943InsufficientUnfrozenBalance", holder.address, project, 401, 400):
        send(holder, own.functions.safeTransferFrom(holder.address, to, project, 401, b""))
    send(holder, own.functions.safeTransferFrom(holder.address, to, project, 400, b""))
    assert (_balance(chain, holder.address, project), _balance(chain, to, project)) == (600, 400)
    with reverts_with(own, "ERC7943InsufficientUnfrozenBalance", holder.address, project, 1, 0):
        send(holder, own.functions.safeTransferFrom(holder.address, to, project, 1, b""))


def test_an_operator_cannot_move_frozen_units_either(
    chain: Chain, admin: LocalAccount, holder: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    operator = investors[1]
    send(holder, chain.ownership.functions.setApprovalForAll(operator.address, True))
    send(admin, chain.ownership.functions.setFrozenTokens(holder.address, project, MINTED))
    with reverts_with(chain.ownership, "ERC7943InsufficientUnfrozenBalance", holder.address, project, 1, 0):
        send(operator, chain.ownership.functions.safeTransferFrom(holder.address, operator.address, project, 1, b""))


def test_a_batch_naming_one_project_twice_cannot_spend_the_unfrozen_units_twice(
    chain: Chain, admin: LocalAccount, holder: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    own, to = chain.ownership, investors[1].address
    send(admin, own.functions.setFrozenTokens(holder.address, project, 600))
    with reverts_with(own, "ERC7943InsufficientUnfrozenBalance"):
        send(holder, own.functions.safeBatchTransferFrom(holder.address, to, [project, project], [300, 300], b""))
    send(holder, own.functions.safeBatchTransferFrom(holder.address, to, [project, project], [200, 200], b""))
    assert _balance(chain, holder.address, project) == 600


def test_more_than_the_whole_balance_reverts_with_the_erc1155_error_not_the_freeze(
    chain: Chain, admin: LocalAccount, holder: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    send(admin, chain.ownership.functions.setFrozenTokens(holder.address, project, 600))
    with reverts_with(chain.ownership, "ERC1155InsufficientBalance", holder.address, MINTED, MINTED + 1, project):
        send(
            holder,
            chain.ownership.functions.safeTransferFrom(holder.address, investors[1].address, project, MINTED + 1, b""),
        )


def test_releasing_a_freeze_lets_every_unit_move_again(
    chain: Chain, admin: LocalAccount, holder: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    own = chain.ownership
    send(admin, own.functions.setFrozenTokens(holder.address, project, MINTED))
    assert not own.functions.canTransfer(holder.address, investors[1].address, project, 1).call()
    send(admin, own.functions.setFrozenTokens(holder.address, project, 0))
    send(holder, own.functions.safeTransferFrom(holder.address, investors[1].address, project, MINTED, b""))
    assert _balance(chain, investors[1].address, project) == MINTED


def test_a_freeze_of_one_project_leaves_the_holders_other_projects_free(
    chain: Chain, admin: LocalAccount, minter: LocalAccount, holder: LocalAccount, investors: list[LocalAccount],
    send: Send, project: int,
) -> None:  # fmt: skip
    from tests.contracts.conftest import PROJECT_CID

    own = chain.ownership
    send(admin, own.functions.createProject(8, 100_000, PROJECT_CID))
    send(minter, own.functions.mintInvestment(8, holder.address, 50, payment_ref("c-8")))
    send(admin, own.functions.setFrozenTokens(holder.address, project, MINTED))
    send(holder, own.functions.safeTransferFrom(holder.address, investors[1].address, 8, 50, b""))
    assert _balance(chain, investors[1].address, 8) == 50


# ----- forcedTransfer ----------------------------------------------------------------------------


def test_forced_transfer_of_frozen_units_moves_them_lowers_the_freeze_and_emits_in_order(
    chain: Chain, admin: LocalAccount, holder: LocalAccount, clawback_to: str, send: Send, project: int
) -> None:
    own = chain.ownership
    send(admin, own.functions.setFrozenTokens(holder.address, project, MINTED))
    supply = own.functions.totalSupply(project).call()
    receipt = send(admin, own.functions.forcedTransfer(holder.address, clawback_to, project, 300))
    # ERC-7943: the freeze drops to what is left before the transfer event reflects the move.
    assert _event_names(chain, receipt) == ["Frozen", "TransferSingle", "ForcedTransfer"]
    (frozen,) = events(own.events.Frozen, receipt)
    assert (frozen["account"], frozen["projectId"], frozen["amount"]) == (holder.address, project, 700)
    (forced,) = events(own.events.ForcedTransfer, receipt)
    assert (forced["from"], forced["to"], forced["projectId"], forced["amount"]) == (
        holder.address,
        clawback_to,
        project,
        300,
    )
    (moved,) = events(own.events.TransferSingle, receipt)
    assert (moved["operator"], moved["from"], moved["to"], moved["id"], moved["value"]) == (
        admin.address,
        holder.address,
        clawback_to,
        project,
        300,
    )
    assert (_balance(chain, holder.address, project), _balance(chain, clawback_to, project)) == (700, 300)
    assert _frozen(chain, holder.address, project) == 700
    assert own.functions.totalSupply(project).call() == supply


def test_forced_transfer_within_the_unfrozen_units_leaves_the_freeze_alone(
    chain: Chain, admin: LocalAccount, holder: LocalAccount, clawback_to: str, send: Send, project: int
) -> None:
    own = chain.ownership
    send(admin, own.functions.setFrozenTokens(holder.address, project, 200))
    receipt = send(admin, own.functions.forcedTransfer(holder.address, clawback_to, project, 800))
    assert _event_names(chain, receipt) == ["TransferSingle", "ForcedTransfer"]
    assert _frozen(chain, holder.address, project) == 200
    assert _balance(chain, holder.address, project) == 200


def test_forced_transfer_takes_from_an_account_off_the_allowlist(
    chain: Chain, admin: LocalAccount, holder: LocalAccount, clawback_to: str, send: Send, project: int
) -> None:
    send(admin, chain.ownership.functions.setAllowed(holder.address, False))
    send(admin, chain.ownership.functions.forcedTransfer(holder.address, clawback_to, project, MINTED))
    assert _balance(chain, clawback_to, project) == MINTED


def test_forced_transfer_needs_an_allowlisted_receiver(
    chain: Chain, admin: LocalAccount, holder: LocalAccount, treasury: LocalAccount, send: Send, project: int
) -> None:
    with reverts_with(chain.ownership, "AccountNotAllowed", treasury.address):
        send(admin, chain.ownership.functions.forcedTransfer(holder.address, treasury.address, project, 1))


def test_forced_transfer_reverts_on_zero_amount_zero_address_and_a_shortfall(
    chain: Chain, admin: LocalAccount, holder: LocalAccount, clawback_to: str, send: Send, project: int
) -> None:
    own = chain.ownership
    with reverts_with(own, "ZeroAmount"):
        send(admin, own.functions.forcedTransfer(holder.address, clawback_to, project, 0))
    with reverts_with(own, "ZeroAddress"):
        send(admin, own.functions.forcedTransfer(holder.address, "0x" + "0" * 40, project, 1))
    send(admin, own.functions.setFrozenTokens(holder.address, project, MINTED))
    with reverts_with(own, "ERC1155InsufficientBalance", holder.address, MINTED, MINTED + 1, project):
        send(admin, own.functions.forcedTransfer(holder.address, clawback_to, project, MINTED + 1))
    assert _frozen(chain, holder.address, project) == MINTED  # nothing changed by the failed attempt


def test_forced_transfer_is_stopped_by_pause_and_by_exit(
    chain: Chain, admin: LocalAccount, holder: LocalAccount, clawback_to: str, send: Send, project: int
) -> None:
    own = chain.ownership
    send(admin, own.functions.pause())
    with reverts_with(own, "EnforcedPause"):
        send(admin, own.functions.forcedTransfer(holder.address, clawback_to, project, 1))
    send(admin, own.functions.unpause())
    send(admin, own.functions.exitProject(project, admin.address))
    with reverts_with(own, "ProjectIsExited", project):
        send(admin, own.functions.forcedTransfer(holder.address, clawback_to, project, 1))


def test_the_relayer_key_can_freeze_and_claw_back(
    chain: Chain, minter: LocalAccount, holder: LocalAccount, clawback_to: str, send: Send, project: int
) -> None:
    send(minter, chain.ownership.functions.setFrozenTokens(holder.address, project, MINTED))
    send(minter, chain.ownership.functions.forcedTransfer(holder.address, clawback_to, project, MINTED))
    assert (_balance(chain, clawback_to, project), _frozen(chain, holder.address, project)) == (MINTED, 0)


# ----- roles and views ---------------------------------------------------------------------------


def test_freeze_and_forced_transfer_require_the_compliance_role(
    chain: Chain, holder: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    outsider = investors[1]
    compliance = role_id("COMPLIANCE_ROLE")
    for call in (
        chain.ownership.functions.setFrozenTokens(holder.address, project, 0),
        chain.ownership.functions.forcedTransfer(holder.address, outsider.address, project, 1),
    ):
        with reverts_with(chain.ownership, "AccessControlUnauthorizedAccount", outsider.address, compliance):
            send(outsider, call)
    # The holder itself is no exception: it cannot unfreeze its own units.
    with reverts_with(chain.ownership, "AccessControlUnauthorizedAccount", holder.address, compliance):
        send(holder, chain.ownership.functions.setFrozenTokens(holder.address, project, 0))


def test_can_send_receive_and_transfer_follow_allowlist_pause_and_freeze(
    chain: Chain, admin: LocalAccount, holder: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    own, other, stranger = chain.ownership, investors[1].address, investors[5].address
    assert own.functions.canSend(holder.address).call() and own.functions.canReceive(other).call()
    assert not own.functions.canSend(stranger).call() and not own.functions.canReceive(stranger).call()
    assert own.functions.canTransfer(holder.address, other, project, MINTED).call()
    assert not own.functions.canTransfer(holder.address, stranger, project, 1).call()
    send(admin, own.functions.setFrozenTokens(holder.address, project, 1))
    assert not own.functions.canTransfer(holder.address, other, project, MINTED).call()
    assert own.functions.canTransfer(holder.address, other, project, MINTED - 1).call()
    send(admin, own.functions.pause())
    assert not own.functions.canTransfer(holder.address, other, project, 1).call()


def test_supports_the_erc7943_multi_token_interface(chain: Chain) -> None:
    assert chain.ownership.functions.supportsInterface(ERC7943_MULTI_TOKEN).call()
    selectors = [
        "forcedTransfer(address,address,uint256,uint256)",
        "setFrozenTokens(address,uint256,uint256)",
        "canSend(address)",
        "canReceive(address)",
        "getFrozenTokens(address,uint256)",
        "canTransfer(address,address,uint256,uint256)",
    ]
    xor = 0
    for signature in selectors:
        xor ^= int.from_bytes(Web3.keccak(text=signature)[:4], "big")
    assert xor.to_bytes(4, "big") == ERC7943_MULTI_TOKEN  # the id really is the XOR of the six functions we have


def test_a_receiver_hook_cannot_borrow_the_forced_transfers_allowlist_bypass(
    chain: Chain, admin: LocalAccount, holder: LocalAccount, investors: list[LocalAccount], send: Send,
    deploy_fake: Deploy, project: int,
) -> None:  # fmt: skip
    """The receiver of a clawback, called back during it, tries to pull units of an account that is off the
    allowlist: refused, as any transfer from that account is, and the clawback itself still completes."""
    own, victim = chain.ownership, investors[1]
    receiver = deploy_fake("FakeReenteringReceiver")
    send(admin, own.functions.setAllowed(receiver.address, True))
    send(admin, own.functions.forcedTransfer(holder.address, victim.address, project, 10))  # victim holds 10
    send(victim, own.functions.setApprovalForAll(receiver.address, True))
    send(admin, own.functions.setAllowed(victim.address, False))
    send(admin, receiver.functions.setVictim(victim.address))
    send(admin, own.functions.forcedTransfer(holder.address, receiver.address, project, 5))
    assert not receiver.functions.reentered().call()
    assert (_balance(chain, victim.address, project), _balance(chain, receiver.address, project)) == (10, 5)
