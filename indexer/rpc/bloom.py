"""Header logs-bloom tests (Ethereum yellow paper, 2048-bit bloom, 3 bits per item). Pure.

A match means "may contain" (false positives exist, roughly 1 in 10^3..10^5 per block on busy chains); no match
means the block has no log from these addresses / with these topics. The sync loop uses it to distrust an empty
eth_getLogs answer, retrying a bounded number of times since a match can be a false positive.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from eth_utils.crypto import keccak

BLOOM_BYTES = 256


@lru_cache(maxsize=4096)
def _bits(item: bytes) -> tuple[tuple[int, int], ...]:
    """(byte index, bit mask) of the three bloom bits an address or topic sets."""
    digest = keccak(item)
    out = []
    for i in (0, 2, 4):
        bit = ((digest[i] << 8) | digest[i + 1]) & 2047
        out.append((BLOOM_BYTES - 1 - bit // 8, 1 << (bit % 8)))
    return tuple(out)


def _hex_bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else bytes.fromhex(value.removeprefix("0x"))


def bloom_has(bloom: bytes, item: str | bytes) -> bool:
    """Whether the bloom may hold this address (20 bytes) or topic (32 bytes)."""
    return all(bloom[byte] & mask for byte, mask in _bits(_hex_bytes(item)))


def bloom_may_contain(bloom: bytes, addresses: Iterable[str | bytes], topics: Iterable[str | bytes] = ()) -> bool:
    """True if a log from any of `addresses` (and, when `topics` is given, carrying any of them) may be in the block.

    A bloom that is not 256 bytes (missing from the node's answer) rules nothing out and answers True, so callers
    never trust an empty logs answer on no evidence. An all-zero bloom (a block without logs) answers False.
    """
    if len(bloom) != BLOOM_BYTES:
        return True
    if not any(bloom_has(bloom, a) for a in addresses):
        return False
    topic_list = list(topics)
    return not topic_list or any(bloom_has(bloom, t) for t in topic_list)
