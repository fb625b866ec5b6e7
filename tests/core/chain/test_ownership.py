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
    is_allowed,
    is_minted,
    mint,
    mint_batch,
    project_ids,
    read_project,
)
from core.chain.payment_ref import payment_ref
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
