"""A transaction script on the deployed contracts that emits every event they can emit (golden files, RPC tests)."""

from __future__ import annotations

from dataclasses import dataclass

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract

from core.chain.payment_ref import payment_ref
from core.chain.transactions import transact
from core.distributions.merkle import StandardMerkleTree
from terra.ops.deploy import role_id

CIDS = (
    "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku",
    "bafkreie5cvv4h45feadgeuwhbcutmh6t2ceseocckahdoe6uat64zmz454",
    "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy",
)
DAO = "0x000000000000000000000000000000000000da00"
NEW_TREASURY = "0x0000000000000000000000000000000000007e57"


@dataclass
class Contracts:
    ownership: Contract
    router: Contract
    stablecoin: Contract
    distributor: Contract | None = None


def emit_every_event(
    w3: Web3,
    c: Contracts,
    admin: LocalAccount,
    minter: LocalAccount,
    investors: list[LocalAccount],
    treasury: str,
    tag: str = "golden",
) -> None:
    """Each emittable event at least once, booleans both ways. (URI and RoleAdminChanged cannot be emitted: OZ 5's
    setURI emits nothing and no role admin is ever changed; their decoders are tested on synthetic logs.)"""
    own, router, coin = c.ownership, c.router, c.stablecoin
    a, b, c3, d = (i.address for i in investors[:4])
    cs = Web3.to_checksum_address

    for pid, (cap, cid) in enumerate(zip((1_000_000, 500_000, 250_000), CIDS, strict=False), start=1):
        transact(w3, admin, own.functions.createProject(pid, cap, cid))
    transact(w3, admin, own.functions.setAllowedBatch([a, b, c3, d], True))
    transact(w3, admin, own.functions.setAllowed(d, False))

    transact(w3, minter, own.functions.mintInvestment(1, a, 1_000, payment_ref(f"{tag}-1")))
    transact(
        w3,
        minter,
        own.functions.mintInvestmentBatch(
            [1, 2, 3], [a, a, b], [25_000, 10_000, 5_000], [payment_ref(f"{tag}-{n}") for n in (2, 3, 4)]
        ),
    )

    inv_a, inv_b = investors[0], investors[1]
    transact(w3, inv_a, own.functions.setApprovalForAll(b, True))
    transact(w3, inv_a, own.functions.safeTransferFrom(a, c3, 1, 100, b""))
    transact(w3, inv_a, own.functions.safeBatchTransferFrom(a, b, [1, 2], [200, 300], b""))
    transact(w3, inv_b, own.functions.safeTransferFrom(a, b, 1, 50, b""))  # operator transfer: operator != from
    transact(w3, inv_a, own.functions.setApprovalForAll(b, False))

    # ERC-7943: a dispute freezes b's units of project 1 (250 held); a clawback of 100 to the treasury lowers the
    # freeze to the 150 left (Frozen from forcedTransfer); a's freeze of project 2 stays.
    transact(w3, admin, own.functions.setAllowed(treasury, True))
    transact(w3, admin, own.functions.setFrozenTokens(b, 1, 250))
    transact(w3, admin, own.functions.forcedTransfer(b, treasury, 1, 100))
    transact(w3, admin, own.functions.setFrozenTokens(a, 2, 5_000))

    snapshot = w3.eth.block_number
    root = Web3.keccak(text=f"{tag}-merkle-root")
    transact(w3, admin, own.functions.distributeReturns(1, 1, 123_456_789, root, snapshot))

    transact(w3, admin, own.functions.pause())
    transact(w3, admin, own.functions.unpause())
    pauser = role_id("PAUSER_ROLE")
    transact(w3, admin, own.functions.grantRole(pauser, c3))
    transact(w3, admin, own.functions.revokeRole(pauser, c3))

    transact(w3, admin, router.functions.pause())
    transact(w3, admin, router.functions.unpause())
    transact(w3, admin, router.functions.grantRole(pauser, d))
    transact(w3, admin, router.functions.revokeRole(pauser, d))
    transact(w3, admin, router.functions.setTokenAllowed(coin.address, False))
    transact(w3, admin, router.functions.setTokenAllowed(coin.address, True))
    transact(w3, admin, router.functions.setTreasury(cs(NEW_TREASURY)))
    transact(w3, admin, router.functions.setTreasury(cs(treasury)))

    transact(w3, admin, coin.functions.mint(a, 50_000_000))
    transact(w3, inv_a, coin.functions.approve(router.address, 50_000_000))
    transact(w3, inv_a, router.functions.pay(2, coin.address, 12_340_000, payment_ref(f"{tag}-pay-1")))

    if c.distributor is not None:
        _pay_a_distribution(w3, c, c.distributor, admin, minter, investors, tag)

    transact(w3, admin, own.functions.exitProject(3, cs(DAO)))


def _pay_a_distribution(
    w3: Web3, c: Contracts, dist: Contract, admin: LocalAccount, minter: LocalAccount, investors: list[LocalAccount],
    tag: str,
) -> None:  # fmt: skip
    """Distribution 2 of project 1: recorded with a real merkle root, funded by the relayer key (the funder),
    one leaf claimed, the rest swept after the deadline."""
    a, b = investors[0].address, investors[1].address
    tree = StandardMerkleTree([(a, 700_000), (b, 300_000)], ("address", "uint256"))
    transact(w3, admin, c.ownership.functions.distributeReturns(1, 2, 1_000_000, tree.root, w3.eth.block_number))
    transact(w3, admin, c.stablecoin.functions.mint(minter.address, 1_000_000))
    transact(w3, minter, c.stablecoin.functions.approve(dist.address, 1_000_000))
    deadline = w3.eth.get_block("latest")["timestamp"] + 3_600
    transact(w3, minter, dist.functions.fund(1, 2, deadline))
    transact(w3, minter, dist.functions.claim(2, a, 700_000, tree.proof(0)))
    w3.provider.make_request("evm_increaseTime", [3_601])  # type: ignore[arg-type]
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    transact(w3, admin, dist.functions.sweep(2, admin.address))


def mint_many(
    w3: Web3,
    c: Contracts,
    minter: LocalAccount,
    holders: list[str],
    transactions: int,
    per_transaction: int,
    tag: str = "many",
) -> None:
    """`transactions` batch mints of `per_transaction` 1-unit investments in project 1 (open after the scenario),
    one block each: 2 logs per investment (TransferSingle + InvestmentMinted)."""
    for t in range(transactions):
        n = per_transaction
        refs = [payment_ref(f"{tag}-{t}-{k}") for k in range(n)]
        investors = [holders[k % len(holders)] for k in range(n)]
        transact(w3, minter, c.ownership.functions.mintInvestmentBatch([1] * n, investors, [1] * n, refs))
