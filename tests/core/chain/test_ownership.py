"""core.chain.ownership against the deployed contract on anvil: the calls the relayer and the operators share."""

from __future__ import annotations

import pytest
from eth_account.signers.local import LocalAccount

from core.chain.errors import TransactionReverted
from core.chain.ownership import (
    Mint,
    Project,
    allow,
    create_project,
    forced_transfer,
    freeze,
    frozen_tokens,
    is_allowed,
    is_minted,
    mint,
    mint_batch,
    project_ids,
    read_project,
)
from core.chain.payment_ref import payment_ref
from core.chain.transactions import transact
from ipfs.cid import compute_cid
from tests.conftest import Chain

CID = compute_cid(b"ownership calls")


def test_create_allow_mint_and_read_a_project(
    chain: Chain, admin: LocalAccount, minter: LocalAccount, investors: list[LocalAccount]
) -> None:
    d = chain.deployment
    assert read_project(chain.w3, d, 11) is None
    create_project(chain.w3, d, admin, 11, 50_000, CID)
    a, b = investors[0].address, investors[1].address
    allow(chain.w3, d, admin, [a.lower(), b])
    assert is_allowed(chain.w3, d, a) and is_allowed(chain.w3, d, b)
    ref = payment_ref("core-mint-1")
    assert not is_minted(chain.w3, d, ref)
    mint(chain.w3, d, minter, Mint(11, a, 1_000, ref))
    mint_batch(
        chain.w3, d, minter, [Mint(11, a, 2_000, payment_ref("core-2")), Mint(11, b, 3_000, payment_ref("core-3"))]
    )
    assert is_minted(chain.w3, d, ref)
    assert read_project(chain.w3, d, 11) == Project(11, 50_000, CID, False, None, 6_000)
    assert chain.ownership.functions.balanceOf(a, 11).call() == 3_000
    assert 11 in project_ids(chain.w3, d)


def test_allow_false_removes_from_the_allowlist(
    chain: Chain, admin: LocalAccount, investors: list[LocalAccount]
) -> None:
    d, a = chain.deployment, investors[0].address
    allow(chain.w3, d, admin, [a])
    allow(chain.w3, d, admin, [a], allowed=False)
    assert not is_allowed(chain.w3, d, a)


def test_a_refused_mint_is_named(chain: Chain, minter: LocalAccount, investors: list[LocalAccount]) -> None:
    with pytest.raises(TransactionReverted, match=r"^UnknownProject\(999\)$"):
        mint(chain.w3, chain.deployment, minter, Mint(999, investors[0].address, 1, payment_ref("x")))


def test_freeze_then_claw_back_to_the_treasury(
    chain: Chain, admin: LocalAccount, minter: LocalAccount, treasury: LocalAccount, investors: list[LocalAccount]
) -> None:
    d, a = chain.deployment, investors[0].address
    create_project(chain.w3, d, admin, 12, 50_000, CID)
    allow(chain.w3, d, minter, [a.lower(), treasury.address])  # the relayer's key: minter and compliance
    mint(chain.w3, d, minter, Mint(12, a, 1_000, payment_ref("core-freeze")))
    freeze(chain.w3, d, minter, a.lower(), 12, 1_000)
    assert frozen_tokens(chain.w3, d, a.lower(), 12) == 1_000
    b = investors[1].address
    allow(chain.w3, d, minter, [b])
    with pytest.raises(TransactionReverted, match=r"^ERC7943InsufficientUnfrozenBalance\("):
        transact(chain.w3, investors[0], chain.ownership.functions.safeTransferFrom(a, b, 12, 1, b""))
    forced_transfer(chain.w3, d, minter, a.lower(), treasury.address.lower(), 12, 400)
    assert frozen_tokens(chain.w3, d, a, 12) == 600
    assert chain.ownership.functions.balanceOf(treasury.address, 12).call() == 400


def test_a_refused_clawback_is_named(chain: Chain, admin: LocalAccount, investors: list[LocalAccount]) -> None:
    d = chain.deployment
    create_project(chain.w3, d, admin, 13, 50_000, CID)
    with pytest.raises(TransactionReverted, match=r"^AccountNotAllowed\("):
        forced_transfer(chain.w3, d, admin, investors[0].address, investors[1].address, 13, 1)
