"""Synthetic chain histories for store tests: records and headers built directly (no anvil), in chain order.

The events obey the contract's rules (project before mint, cap, balances never negative) so that the store's
derived state can be checked against the invariants; `SyntheticChain` hands out batches one block at a time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from indexer.checkpoint import Checkpoint
from indexer.fold import ZERO_ADDRESS
from indexer.records import EventRecord, stored_args
from indexer.store import Batch
from indexer.types import BlockHeader

CHAIN_ID = 777
OWNERSHIP = "0x" + "0a" * 20
ROUTER = "0x" + "0b" * 20
TOKEN = "0x" + "0c" * 20
HOLDERS = tuple("0x" + f"{i:040x}" for i in range(1, 7))
GENESIS_TIME = int(datetime(2026, 1, 15, tzinfo=UTC).timestamp())


def block_hash(branch: str, number: int) -> str:
    return "0x" + hashlib.sha256(f"{branch}:{number}".encode()).hexdigest()


def tx_hash(branch: str, number: int, index: int) -> str:
    return "0x" + hashlib.sha256(f"tx:{branch}:{number}:{index}".encode()).hexdigest()


@dataclass
class SyntheticBlock:
    header: BlockHeader
    events: list[tuple[str, str, dict[str, Any]]]  # (contract, name, args)

    def records(self) -> list[EventRecord]:
        h = self.header
        when = datetime.fromtimestamp(h.timestamp, UTC)
        return [
            EventRecord(h.number, h.hash, i, tx_hash(h.hash, h.number, i), i, when, contract, name, stored_args(args))
            for i, (contract, name, args) in enumerate(self.events)
        ]


@dataclass
class SyntheticChain:
    """Blocks 1..n; `seconds_per_block` lets a history span months (partition tests)."""

    branch: str = "a"
    seconds_per_block: int = 12
    blocks: list[SyntheticBlock] = field(default_factory=list)

    def add_block(self, events: list[tuple[str, str, dict[str, Any]]], branch: str | None = None) -> SyntheticBlock:
        number = len(self.blocks) + 1
        parent = self.blocks[-1].header.hash if self.blocks else block_hash("genesis", 0)
        header = BlockHeader(
            number,
            block_hash(branch or self.branch, number),
            parent,
            GENESIS_TIME + number * self.seconds_per_block,
            b"\x00" * 256,
        )
        block = SyntheticBlock(header, events)
        self.blocks.append(block)
        return block

    def truncate(self, number: int) -> None:
        del self.blocks[number:]

    def fork(self, number: int, branch: str) -> SyntheticChain:
        """The same blocks up to `number`, new ones (another branch) to be added after."""
        return SyntheticChain(branch, self.seconds_per_block, list(self.blocks[:number]))

    def batch(self, first: int, last: int, finalized: int = 0, chain_id: int = CHAIN_ID) -> Batch:
        chosen = self.blocks[first - 1 : last]
        records = [r for b in chosen for r in b.records()]
        top = chosen[-1].header
        return Batch(chain_id, first, Checkpoint(top.number, top.hash, finalized), records, [b.header for b in chosen])


# ----- event builders (contract, name, args) -------------------------------------------------------


def created(project: int, cap: int, cid: str = "bafy-test") -> tuple[str, str, dict[str, Any]]:
    return OWNERSHIP, "ProjectCreated", {"project_id": project, "supply_cap": cap, "metadata_cid": cid}


def transfer(sender: str, receiver: str, project: int, amount: int) -> tuple[str, str, dict[str, Any]]:
    args = {"operator": sender, "from_": sender, "to": receiver, "id": project, "value": amount}
    return OWNERSHIP, "TransferSingle", args


def batch_transfer(sender: str, receiver: str, ids: list[int], values: list[int]) -> tuple[str, str, dict[str, Any]]:
    args = {"operator": sender, "from_": sender, "to": receiver, "ids": ids, "values": values}
    return OWNERSHIP, "TransferBatch", args


def minted(project: int, investor: str, amount: int, ref: str) -> list[tuple[str, str, dict[str, Any]]]:
    """A mint as the contract emits it: TransferSingle from zero, then InvestmentMinted."""
    return [
        transfer(ZERO_ADDRESS, investor, project, amount),
        (
            OWNERSHIP,
            "InvestmentMinted",
            {"project_id": project, "investor": investor, "amount": amount, "payment_ref": ref},
        ),
    ]


def paid(ref: str, payer: str, project: int, amount: int) -> tuple[str, str, dict[str, Any]]:
    args = {"payment_ref": ref, "payer": payer, "project_id": project, "token": TOKEN, "amount": amount}
    return ROUTER, "PaymentReceived", args


def allowlisted(account: str, allowed: bool) -> tuple[str, str, dict[str, Any]]:
    return OWNERSHIP, "AllowlistUpdated", {"account": account, "allowed": allowed}


def frozen(account: str, project: int, amount: int) -> tuple[str, str, dict[str, Any]]:
    return OWNERSHIP, "Frozen", {"account": account, "project_id": project, "amount": amount}


def forced(
    sender: str, receiver: str, project: int, amount: int, frozen_left: int | None = None
) -> list[tuple[str, str, dict[str, Any]]]:
    """A clawback as the contract emits it: Frozen first when it lowers the freeze (to `frozen_left`), the
    TransferSingle (operator: the compliance key), then ForcedTransfer."""
    move = {"operator": HOLDERS[0], "from_": sender, "to": receiver, "id": project, "value": amount}
    return [
        *([frozen(sender, project, frozen_left)] if frozen_left is not None else []),
        (OWNERSHIP, "TransferSingle", move),
        (OWNERSHIP, "ForcedTransfer", {"from_": sender, "to": receiver, "project_id": project, "amount": amount}),
    ]


def paused(contract: str, value: bool) -> tuple[str, str, dict[str, Any]]:
    return contract, "Paused" if value else "Unpaused", {"account": HOLDERS[0]}


def role(contract: str, role_id: str, account: str, granted: bool) -> tuple[str, str, dict[str, Any]]:
    return (
        contract,
        "RoleGranted" if granted else "RoleRevoked",
        {"role": role_id, "account": account, "sender": HOLDERS[0]},
    )


def exited(project: int, dao: str) -> tuple[str, str, dict[str, Any]]:
    return OWNERSHIP, "ProjectExited", {"project_id": project, "community_dao": dao}


def distributed(project: int, distribution: int, total: int) -> tuple[str, str, dict[str, Any]]:
    args = {
        "project_id": project,
        "distribution_id": distribution,
        "total_amount": total,
        "merkle_root": "0x" + "ab" * 32,
        "snapshot_block": 1,
    }
    return OWNERSHIP, "ReturnsDistributed", args


def ref(n: int) -> str:
    return "0x" + hashlib.sha256(f"ref:{n}".encode()).hexdigest()
