"""Invariants 1 and 2 against the chain: every indexed balance and total supply equals `balanceOf` /
`totalSupply` at the indexed block, and per project sum of balances = minted <= cap. Every indexed ERC-7943 frozen
amount equals `getFrozenTokens` at that block too."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session
from web3.contract import Contract

from indexer.store import chain_sql, reads
from indexer.store.cursor import pg_cursor

BALANCE_CHUNK = 200


@dataclass(frozen=True)
class Mismatch:
    what: str  # "balance", "total supply", "sum of balances", "cap", "frozen"
    project_id: int
    holder: str | None
    indexed: int
    expected: int

    def __str__(self) -> str:
        who = f" holder {self.holder}" if self.holder else ""
        return f"{self.what}: project {self.project_id}{who}: indexed {self.indexed}, expected {self.expected}"


@dataclass(frozen=True)
class VerifyReport:
    block_number: int
    balances_checked: int
    projects_checked: int
    mismatches: list[Mismatch]
    frozen_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.mismatches


def compare_balances(indexed: Sequence[tuple[int, str, int]], on_chain: Sequence[int]) -> list[Mismatch]:
    return [Mismatch("balance", p, h, b, c) for (p, h, b), c in zip(indexed, on_chain, strict=True) if b != c]


def compare_frozen(indexed: Sequence[tuple[int, str, int]], on_chain: Sequence[int]) -> list[Mismatch]:
    return [Mismatch("frozen", p, a, f, c) for (p, a, f), c in zip(indexed, on_chain, strict=True) if f != c]


def compare_supplies(supplies: Sequence[tuple[int, int, int, int]], on_chain: Callable[[int], int]) -> list[Mismatch]:
    out: list[Mismatch] = []
    for project, minted, cap, summed in supplies:
        chain_supply = on_chain(project)
        if minted != chain_supply:
            out.append(Mismatch("total supply", project, None, minted, chain_supply))
        if summed != minted:
            out.append(Mismatch("sum of balances", project, None, summed, minted))
        if minted > cap:
            out.append(Mismatch("cap", project, None, minted, cap))
    return out


def verify_mirror(session: Session, chain_id: int, ownership: Contract) -> VerifyReport:
    """Compare the mirror with the chain at the mirror's own checkpoint block (state at that block, not now)."""
    checkpoint = chain_sql.read_checkpoint(pg_cursor(session), chain_id)
    if checkpoint is None:
        return VerifyReport(-1, 0, 0, [])
    block = checkpoint.block_number
    indexed = reads.balances(session, chain_id)
    on_chain: list[int] = []
    for i in range(0, len(indexed), BALANCE_CHUNK):
        chunk = indexed[i : i + BALANCE_CHUNK]
        holders = [ownership.w3.to_checksum_address(h) for _, h, _ in chunk]
        on_chain += ownership.functions.balanceOfBatch(holders, [p for p, _, _ in chunk]).call(block_identifier=block)
    supplies = reads.supplies(session, chain_id)
    total_supply = lambda project: ownership.functions.totalSupply(project).call(block_identifier=block)  # noqa: E731
    frozen = reads.frozen(session, chain_id)
    # One call per row: freezes are few (one per open dispute), unlike balances.
    frozen_on_chain = [
        ownership.functions.getFrozenTokens(ownership.w3.to_checksum_address(a), p).call(block_identifier=block)
        for p, a, _ in frozen
    ]
    mismatches = (
        compare_balances(indexed, on_chain)
        + compare_supplies(supplies, total_supply)
        + compare_frozen(frozen, frozen_on_chain)
    )
    return VerifyReport(block, len(indexed), len(supplies), mismatches, len(frozen))
