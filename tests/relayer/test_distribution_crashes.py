"""`kill -9` of the relayer process between enqueue and receipt at every step of a payout — the recording, the
approval, the funding, each claim batch — and a restart each time: every call is sent once, every custodial leaf
is claimed once, and no claim transaction even reaches the contract's own refusal of a second claim."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from core.distributions.claims import claims_of
from tests.indexer.mirror_support import PrivateChain, rpc
from tests.relayer.distribution_support import chain_claims, fund_relayer, make_holders, record
from tests.relayer.support import Stack, relayer_stack, wait_for

MOST_KILLS = 20


@pytest.fixture(scope="module")
def stack(private_chain: PrivateChain, server_url: str) -> Iterator[Stack]:
    with relayer_stack(private_chain, server_url, start=False) as s:  # the relayer runs as a subprocess here
        yield s


def _all_custodial_claimed(stack: Stack, distribution_id: int) -> bool:
    with Session(stack.engine) as session:
        leaves = [c for c in claims_of(session, distribution_id) if c.account_kind == "custodial"]
    return bool(leaves) and all(c.claimed for c in leaves)


def _logs(stack: Stack, address: str, event_topic: str, *indexed: int) -> int:
    topics = [event_topic, *("0x" + i.to_bytes(32, "big").hex() for i in indexed)]
    return len(
        rpc(
            stack.chain.url,
            "eth_getLogs",
            [{"fromBlock": "0x0", "toBlock": "latest", "address": address, "topics": topics}],
        )
    )


@pytest.mark.parametrize("crash_at", ["after_sign", "after_broadcast"])
def test_a_relayer_killed_at_every_payout_step_sends_each_call_once_and_claims_each_leaf_once(
    stack: Stack, crash_at: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RELAYER_CLAIM_BATCH_SIZE", "3")
    token = {"after_sign": 21, "after_broadcast": 22}[crash_at]
    holders = make_holders(stack, token, custodial=5)
    fund_relayer(stack, 10**12)
    d = record(stack, holders, 50_000)
    kills = 0
    while kills < MOST_KILLS and not _all_custodial_claimed(stack, d.id):
        process = stack.spawn_relayer(crash_at=crash_at)
        try:
            wait_for(
                f"a kill at {crash_at} or every claim indexed",
                lambda p=process: p.poll() is not None or _all_custodial_claimed(stack, d.id),
                timeout=90,
            )
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait(30)
            else:
                assert process.returncode == -signal.SIGKILL
                kills += 1
    restarted = stack.spawn_relayer()
    try:
        wait_for("every custodial leaf claimed", lambda: _all_custodial_claimed(stack, d.id), timeout=120)
    finally:
        restarted.terminate()
        restarted.wait(30)

    assert kills >= 4, "killed at least at the recording, the approval, the funding and a claim"
    assert chain_claims(stack, d.id) == {a: 1 for a in holders.custodial}
    own, distributor = stack.chain.contracts.ownership, stack.chain.contracts.distributor
    assert distributor is not None
    recorded = "0x" + str(own.events.ReturnsDistributed().topic).removeprefix("0x")
    funded = "0x" + str(distributor.events.DistributionFunded().topic).removeprefix("0x")
    assert _logs(stack, own.address, recorded, token, d.id) == 1
    assert _logs(stack, distributor.address, funded, d.id) == 1
    by_purpose = stack.sql(
        "SELECT t.purpose, t.status, count(*) FROM relayer_transactions t "
        "WHERE t.id IN (SELECT claim_tx_id FROM user_distributions WHERE distribution_id = :d) "
        "OR t.id IN (SELECT unnest(ARRAY[record_tx_id, approve_tx_id, fund_tx_id]) FROM distributions WHERE id = :d) "
        "GROUP BY 1, 2 ORDER BY 1, 2",
        d=d.id,
    )
    statuses = {(purpose, status) for purpose, status, _n in by_purpose}
    assert not any(status in ("reverted", "dropped") for _p, status in statuses), by_purpose
    counts: dict[str, int] = {}
    for purpose, _s, n in by_purpose:
        counts[purpose] = counts.get(purpose, 0) + n
    assert counts == {"distribute_returns": 1, "approve_payout": 1, "fund_distribution": 1, "claim_returns": 2}
