"""PaymentRouter and the test stablecoin on a real anvil: payments, permits, every revert, every event."""

from __future__ import annotations

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.logs import DISCARD

from tests.conftest import Chain
from tests.contracts.conftest import Send
from tests.contracts.reverts import reverts_with

REF = Web3.keccak(text="order-1")
USD = 10**6  # the stablecoin's 6 decimals


def _fund_payer(chain: Chain, admin: LocalAccount, payer: LocalAccount, send: Send, amount: int = 1_000 * USD) -> None:
    send(admin, chain.stablecoin.functions.mint(payer.address, amount))


def test_stablecoin_has_six_decimals_and_only_owner_mints(
    chain: Chain, investors: list[LocalAccount], send: Send
) -> None:
    assert chain.stablecoin.functions.decimals().call() == 6
    with reverts_with(chain.stablecoin, "OwnableUnauthorizedAccount", investors[0].address):
        send(investors[0], chain.stablecoin.functions.mint(investors[0].address, 1))


def test_pay_moves_funds_to_treasury_and_emits(
    chain: Chain, admin: LocalAccount, treasury: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    payer = investors[0]
    _fund_payer(chain, admin, payer, send)
    send(payer, chain.stablecoin.functions.approve(chain.router.address, 25 * USD))
    before = chain.stablecoin.functions.balanceOf(treasury.address).call()
    receipt = send(payer, chain.router.functions.pay(project, chain.stablecoin.address, 25 * USD, REF))
    (ev,) = [e["args"] for e in chain.router.events.PaymentReceived().process_receipt(receipt, errors=DISCARD)]
    assert (ev["paymentRef"], ev["payer"], ev["projectId"], ev["token"], ev["amount"]) == (
        REF,
        payer.address,
        project,
        chain.stablecoin.address,
        25 * USD,
    )
    assert chain.stablecoin.functions.balanceOf(treasury.address).call() - before == 25 * USD
    assert chain.stablecoin.functions.balanceOf(chain.router.address).call() == 0
    assert chain.router.functions.paymentRefUsed(REF).call()


def test_pay_with_permit_needs_no_prior_approval(
    chain: Chain, admin: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    payer: LocalAccount = investors[1]
    _fund_payer(chain, admin, payer, send)
    amount, deadline = 10 * USD, 2**40
    typed = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Permit": [
                {"name": "owner", "type": "address"},
                {"name": "spender", "type": "address"},
                {"name": "value", "type": "uint256"},
                {"name": "nonce", "type": "uint256"},
                {"name": "deadline", "type": "uint256"},
            ],
        },
        "primaryType": "Permit",
        "domain": {
            "name": "Test USD",
            "version": "1",
            "chainId": chain.w3.eth.chain_id,
            "verifyingContract": chain.stablecoin.address,
        },
        "message": {
            "owner": payer.address,
            "spender": chain.router.address,
            "value": amount,
            "nonce": chain.stablecoin.functions.nonces(payer.address).call(),
            "deadline": deadline,
        },
    }
    sig = Account.sign_message(encode_typed_data(full_message=typed), payer.key)
    send(
        payer,
        chain.router.functions.payWithPermit(
            project,
            chain.stablecoin.address,
            amount,
            REF,
            deadline,
            sig.v,
            sig.r.to_bytes(32, "big"),
            sig.s.to_bytes(32, "big"),
        ),
    )
    assert chain.router.functions.paymentRefUsed(REF).call()


def test_pay_reverts_on_bad_input(
    chain: Chain, admin: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    payer = investors[0]
    _fund_payer(chain, admin, payer, send)
    send(payer, chain.stablecoin.functions.approve(chain.router.address, 100 * USD))
    token = chain.stablecoin.address
    with reverts_with(chain.router, "TokenNotAllowed", investors[3].address):
        send(payer, chain.router.functions.pay(project, investors[3].address, USD, REF))
    with reverts_with(chain.router, "ZeroAmount"):
        send(payer, chain.router.functions.pay(project, token, 0, REF))
    with reverts_with(chain.router, "UnknownProject", 4242):
        send(payer, chain.router.functions.pay(4242, token, USD, REF))
    send(payer, chain.router.functions.pay(project, token, USD, REF))
    with reverts_with(chain.router, "PaymentRefAlreadyUsed", REF):
        send(payer, chain.router.functions.pay(project, token, USD, REF))
    send(admin, chain.ownership.functions.exitProject(project, investors[6].address))
    with reverts_with(chain.router, "ProjectIsExited", project):
        send(payer, chain.router.functions.pay(project, token, USD, Web3.keccak(text="other")))


def test_pay_without_allowance_reverts(
    chain: Chain, admin: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    payer = investors[0]
    _fund_payer(chain, admin, payer, send)
    with reverts_with(chain.stablecoin, "ERC20InsufficientAllowance", chain.router.address, 0, USD):
        send(payer, chain.router.functions.pay(project, chain.stablecoin.address, USD, REF))


def test_router_pause_and_admin_functions(
    chain: Chain, admin: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    outsider = investors[0]
    send(admin, chain.router.functions.pause())
    with reverts_with(chain.router, "EnforcedPause"):
        send(outsider, chain.router.functions.pay(project, chain.stablecoin.address, USD, REF))
    send(admin, chain.router.functions.unpause())
    with reverts_with(
        chain.router, "AccessControlUnauthorizedAccount", outsider.address, Web3.keccak(text="PAUSER_ROLE")
    ):
        send(outsider, chain.router.functions.pause())
    with reverts_with(chain.router, "AccessControlUnauthorizedAccount", outsider.address, bytes(32)):
        send(outsider, chain.router.functions.setTokenAllowed(outsider.address, True))
    with reverts_with(chain.router, "AccessControlUnauthorizedAccount", outsider.address, bytes(32)):
        send(outsider, chain.router.functions.setTreasury(outsider.address))
    with reverts_with(chain.router, "ZeroAddress"):
        send(admin, chain.router.functions.setTreasury("0x" + "0" * 40))
    receipt = send(admin, chain.router.functions.setTreasury(investors[4].address))
    assert chain.router.events.TreasuryUpdated().process_receipt(receipt)[0]["args"]["treasury"] == investors[4].address
    receipt = send(admin, chain.router.functions.setTokenAllowed(chain.stablecoin.address, False))
    ev = chain.router.events.TokenAllowed().process_receipt(receipt)[0]["args"]
    assert (ev["token"], ev["allowed"]) == (chain.stablecoin.address, False)
    assert chain.router.functions.treasury().call() == investors[4].address


def test_constructors_reject_zero_addresses(chain: Chain, build, admin: LocalAccount, send: Send) -> None:  # type: ignore[no-untyped-def]
    zero = "0x" + "0" * 40
    router = build.contracts["PaymentRouter"]
    factory = chain.w3.eth.contract(abi=router.abi, bytecode=router.bytecode)
    with reverts_with(chain.router, "ZeroAddress"):
        factory.constructor(chain.ownership.address, zero, admin.address).build_transaction({"from": admin.address})
    ownership = build.contracts["TerraLuminaOwnership"]
    factory = chain.w3.eth.contract(abi=ownership.abi, bytecode=ownership.bytecode)
    with reverts_with(chain.ownership, "ZeroAddress"):
        factory.constructor("https://x/{id}", zero).build_transaction({"from": admin.address})


def test_pay_with_an_invalid_permit_and_no_allowance_reverts(
    chain: Chain, admin: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    payer = investors[1]
    _fund_payer(chain, admin, payer, send)
    bogus = (27, b"\x01" * 32, b"\x02" * 32)
    with reverts_with(chain.stablecoin, "ERC20InsufficientAllowance", chain.router.address, 0, USD):
        send(payer, chain.router.functions.payWithPermit(project, chain.stablecoin.address, USD, REF, 2**40, *bogus))
    assert not chain.router.functions.paymentRefUsed(REF).call()
