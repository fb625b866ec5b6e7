"""End to end on a real chain: anvil mints, the real indexer syncs (its batches NOTIFY), the API's LISTEN wakes the
investor's socket, and the pushed portfolio shows the new tokens at the custodial address and a linked wallet."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from core.chain.compiler import Build
from tests.api.conftest import Api
from tests.api.portfolio.conftest import investor
from tests.api.portfolio.test_socket import socket, update, within
from tests.indexer.mirror_support import Activity, PrivateChain, indexer_settings, start_private_chain, sync_until_head


@pytest.fixture(scope="module")
def private_chain(build: Build) -> Iterator[PrivateChain]:
    chain = start_private_chain(build)
    try:
        Activity(chain, "portfolio-setup").setup()
        yield chain
    finally:
        chain.anvil.stop()


def test_a_mint_indexed_from_the_chain_is_pushed_to_its_owner(
    api: Api, clean_db: Engine, private_chain: PrivateChain, database_url: str
) -> None:
    settings = indexer_settings(database_url, private_chain.url, private_chain.deployments_dir)
    sync_until_head(settings, clean_db)
    accounts = [a.address for a in private_chain.investors[3:6]]  # allowlisted by the setup
    custodial, wallet, other = (a.lower() for a in accounts)
    me = investor(api, custodial, wallet)
    activity = Activity(private_chain, "portfolio")
    with socket(api.client, me.token) as ws:
        assert update(ws)["data"]["holdings"] == []
        activity.send(activity.mint(2, accounts[2], 700))
        sync_until_head(settings, clean_db)
        assert within(ws, 1.0) is None  # another investor's mint
        activity.send(activity.mint(1, accounts[0], 5_000))
        activity.send(activity.mint(1, accounts[1], 2_500))
        head = sync_until_head(settings, clean_db)
        pushed = update(ws)
        while pushed["data"]["totals"]["balance"] != "7500":  # the sync may have cut the two blocks in two batches
            pushed = update(ws)
    (holding,) = pushed["data"]["holdings"]
    assert (holding["token_id"], holding["balance"], holding["share"], holding["share_exact"]) == (
        "1",
        "7500",
        "0.0000000075",
        True,
    )
    assert {a["address"]: a["balance"] for a in holding["addresses"]} == {custodial: "5000", wallet: "2500"}
    assert pushed["meta"]["indexed_block"] <= head.indexed
    assert all(c["kind"] == "index" for c in pushed["causes"])
