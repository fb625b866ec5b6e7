"""Catalogue projects queued for the chain as the API queues them (a catalogue row and its project intent in one
transaction), and what the chain and the relayer's tables then show."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from web3 import Web3

from core.models import Project, ProjectIntent
from ipfs.cid import compute_cid
from tests.indexer.mirror_support import rpc
from tests.relayer.support import CHAIN_ID, Stack

PROJECT_CREATED = Web3.keccak(text="ProjectCreated(uint256,uint256,string)").to_0x_hex()


def queue_project(stack: Stack, token_id: int, cap: int = 1_000_000, cid: str | None = None) -> str:
    """Returns the metadata CID queued."""
    cid = cid or compute_cid(f"relayer-project-{token_id}".encode())
    with stack.sessions.begin() as session:
        project = Project(
            id=uuid.uuid4(),
            chain_id=CHAIN_ID,
            token_id=Decimal(token_id),
            name=f"Queued project {token_id}",
            technology="solar",
            target_cents=cap,
            metadata_cid=cid,
        )
        session.add(project)
        session.flush()
        session.add(
            ProjectIntent(
                project_id=project.id,
                chain_id=CHAIN_ID,
                token_id=Decimal(token_id),
                supply_cap=Decimal(cap),
                metadata_cid=cid,
            )
        )
    return cid


def intent(stack: Stack, token_id: int) -> dict[str, Any]:
    rows = stack.sql("SELECT status, last_error, tx_hash, tx_id FROM project_intents WHERE token_id = :t", t=token_id)
    status, error, tx_hash, tx_id = rows[0]
    return {"status": status, "error": error, "tx_hash": tx_hash, "tx_id": tx_id}


def created_events(stack: Stack, token_id: int) -> int:
    """ProjectCreated events for `token_id` on chain (the chain, not the index)."""
    logs = rpc(
        stack.chain.url,
        "eth_getLogs",
        [
            {
                "fromBlock": "0x0",
                "toBlock": "latest",
                "address": stack.chain.contracts.ownership.address,
                "topics": [PROJECT_CREATED, "0x" + token_id.to_bytes(32, "big").hex()],
            }
        ],
    )
    return len(logs)


def create_project_transactions(stack: Stack) -> list[tuple[Any, ...]]:
    return stack.sql("SELECT status, nonce FROM relayer_transactions WHERE purpose = 'create_project'")
