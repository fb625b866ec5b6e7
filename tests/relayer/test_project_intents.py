"""The relayer puts the catalogue's queued projects on chain: one createProject per intent, done once the project
is indexed as asked; a project already on chain with other terms, or a call the contract refuses, ends failed
with the decoded reason. Never retried for ever, never sent twice."""

from __future__ import annotations

from core.chain.transactions import transact
from ipfs.cid import compute_cid
from tests.relayer.project_support import create_project_transactions, created_events, intent, queue_project
from tests.relayer.support import Stack, wait_for


def test_a_queued_project_is_created_on_chain_once_and_done_once_indexed(stack: Stack) -> None:
    cid = queue_project(stack, 501, cap=750_000)

    wait_for("the intent done", lambda: intent(stack, 501)["status"] == "done")

    own = stack.chain.contracts.ownership
    cap, on_chain_cid, exists, exited, _dao = own.functions.project(501).call()
    assert (cap, on_chain_cid, exists, exited) == (750_000, cid, True, False)
    assert created_events(stack, 501) == 1
    done = intent(stack, 501)
    assert done["error"] is None and done["tx_hash"] is not None
    assert stack.sql("SELECT supply_cap, metadata_cid FROM chain_projects WHERE project_id = 501") == [(750_000, cid)]


def test_a_project_already_on_chain_with_other_terms_fails_as_project_already_exists(stack: Stack) -> None:
    chain = stack.chain
    transact(chain.w3, chain.admin, chain.contracts.ownership.functions.createProject(502, 5, compute_cid(b"other")))
    queue_project(stack, 502, cap=1_000)

    wait_for("the intent failed", lambda: intent(stack, 502)["status"] == "failed")

    assert intent(stack, 502)["error"] == "ProjectAlreadyExists(502)"
    assert created_events(stack, 502) == 1  # the other one only: ours never went out


def test_a_call_the_contract_refuses_fails_with_the_decoded_revert_reason(stack: Stack) -> None:
    queue_project(stack, 503, cid="not-a-cid")

    wait_for("the intent failed", lambda: intent(stack, 503)["status"] == "failed")

    assert intent(stack, 503)["error"] == 'InvalidMetadataCid("not-a-cid")'
    assert created_events(stack, 503) == 0


def test_several_queued_projects_each_go_on_chain_once(stack: Stack) -> None:
    before = len(create_project_transactions(stack))
    for token_id in (511, 512, 513):
        queue_project(stack, token_id)
    for token_id in (511, 512, 513):
        wait_for(f"project {token_id} done", lambda t=token_id: intent(stack, t)["status"] == "done")  # type: ignore[misc]
        assert created_events(stack, token_id) == 1
    assert len(create_project_transactions(stack)) == before + 3
