"""Values that cross the indexer's internal boundaries (RPC layer -> decoders -> store). Plain and immutable."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class BlockHeader:
    number: int
    hash: str  # 0x-prefixed lowercase hex
    parent_hash: str  # 0x-prefixed lowercase hex
    timestamp: int  # unix seconds
    logs_bloom: bytes  # 256 bytes; tells whether a block may hold our logs


@dataclass(frozen=True, slots=True)
class RawLog:
    """One `eth_getLogs` entry, normalized (hex strings lowercase and 0x-prefixed, numbers as int)."""

    address: str
    topics: tuple[str, ...]
    data: str
    block_number: int
    block_hash: str
    transaction_hash: str
    transaction_index: int
    log_index: int
    removed: bool = False


class ChainSource(Protocol):
    """The chain behind a small interface (STYLE.md 5): what the sync loop needs, nothing more."""

    def chain_id(self) -> int: ...

    def head(self) -> BlockHeader: ...

    def finalized_number(self) -> int | None:
        """The `finalized` tag's block number, or None where the RPC does not know it."""
        ...

    def header(self, number: int) -> BlockHeader: ...

    def header_by_hash(self, block_hash: str) -> BlockHeader | None: ...

    def headers(self, numbers: list[int]) -> list[BlockHeader]:
        """Several headers at once (one batched request where the RPC allows it), in the order asked."""
        ...

    def logs(self, from_block: int, to_block: int, addresses: list[str]) -> list[RawLog]:
        """Logs in [from_block, to_block]; raises RangeTooLarge (with the provider's suggestion) when refused."""
        ...

    def logs_by_block_hash(self, block_hash: str, addresses: list[str]) -> list[RawLog]: ...

    def receipt_logs(self, block_hash: str, addresses: list[str]) -> list[RawLog] | None:
        """The logs of `addresses` in the block's receipts: the node's proof it holds the block. None if it does not
        show them."""
        ...

    def read_from_one(self, min_head: int, read: Callable[[ChainSource], T]) -> T:
        """`read(source)` with every call of `source` answered by one node whose head is at least `min_head` (one
        range, one source); raises NodesBehind when no node has got that far yet."""
        ...
