"""Merkle trees in OpenZeppelin's `StandardMerkleTree` format, so that `@openzeppelin/merkle-tree` (JavaScript) and
OpenZeppelin's `MerkleProof.verify` (Solidity) agree with us on every root and proof.

A leaf is `keccak256(keccak256(abi.encode(values)))` (hashed twice so that no leaf can pass for an inner node);
inner nodes hash their two children in sorted order; the tree is a flat array with the root at index 0 and the
leaves at the end, sorted by hash. `dump()` writes the library's `standard-v1` JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi.abi import encode
from eth_utils.crypto import keccak


class MerkleError(ValueError):
    pass


def leaf_hash(types: Sequence[str], values: Sequence[Any]) -> bytes:
    return keccak(keccak(encode(list(types), list(values))))


def hash_pair(a: bytes, b: bytes) -> bytes:
    return keccak(a + b) if a < b else keccak(b + a)


def _sibling(index: int) -> int:
    return index + 1 if index % 2 == 1 else index - 1


def _parent(index: int) -> int:
    return (index - 1) // 2


def process_proof(leaf: bytes, proof: Sequence[bytes]) -> bytes:
    node = leaf
    for sibling in proof:
        node = hash_pair(node, sibling)
    return node


def verify(root: bytes, types: Sequence[str], values: Sequence[Any], proof: Sequence[bytes]) -> bool:
    """What `MerkleProof.verify(proof, root, leaf)` answers on chain for these values."""
    return process_proof(leaf_hash(types, values), proof) == root


@dataclass(frozen=True)
class _Entry:
    value: tuple[Any, ...]
    tree_index: int


class StandardMerkleTree:
    """The tree of `values` (each a tuple matching `types`), built as the JavaScript library builds it with its
    default `sortLeaves: true`."""

    def __init__(self, values: Sequence[Sequence[Any]], types: Sequence[str]) -> None:
        if not values:
            raise MerkleError("a merkle tree needs at least one leaf")
        self.types = tuple(types)
        hashed = sorted(
            ((leaf_hash(self.types, v), i) for i, v in enumerate(values)), key=lambda hv: hv[0]
        )  # sort by hash; equal hashes (duplicate values) keep their order
        size = 2 * len(hashed) - 1
        tree: list[bytes] = [b""] * size
        for position, (h, _) in enumerate(hashed):
            tree[size - 1 - position] = h
        for i in range(size - 1 - len(hashed), -1, -1):
            tree[i] = hash_pair(tree[2 * i + 1], tree[2 * i + 2])
        self._tree = tree
        self._entries: list[_Entry] = [_Entry((), 0)] * len(values)
        for position, (_, original) in enumerate(hashed):
            self._entries[original] = _Entry(tuple(values[original]), size - 1 - position)

    @property
    def root(self) -> bytes:
        return self._tree[0]

    def __len__(self) -> int:
        return len(self._entries)

    def value(self, index: int) -> tuple[Any, ...]:
        return self._entries[index].value

    def tree_index(self, index: int) -> int:
        """Where the leaf of `values[index]` sits in the flat tree (the library's `treeIndex`)."""
        return self._entries[index].tree_index

    def proof(self, index: int) -> list[bytes]:
        """The sibling hashes from the leaf of `values[index]` up to the root."""
        node = self._entries[index].tree_index
        proof: list[bytes] = []
        while node > 0:
            proof.append(self._tree[_sibling(node)])
            node = _parent(node)
        return proof

    def dump(self) -> dict[str, Any]:
        """The library's `standard-v1` format (what `StandardMerkleTree.load` reads)."""
        return {
            "format": "standard-v1",
            "leafEncoding": list(self.types),
            "tree": ["0x" + node.hex() for node in self._tree],
            "values": [{"value": list(e.value), "treeIndex": e.tree_index} for e in self._entries],
        }
