"""Reading a UnixFS file back from its blocks, verifying every block against its CID before using it.

Works for any UnixFS file DAG (any chunker, balanced or trickle, v0 or v1), not just ones this project wrote:
the Merkle links alone say which bytes are right. Both stores read through here, so `get` behaves the same
whichever backend is configured.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ipfs import dagpb, unixfs
from ipfs.blocks import RAW, BlockId, verify_block
from ipfs.errors import UnsupportedContent
from ipfs.protobuf import WireError

Fetch = Callable[[BlockId], bytes]


def read_file(root: BlockId, fetch: Fetch) -> Iterator[bytes]:
    """The file's bytes in order. A block that fails its hash raises before any of its bytes is yielded."""
    pending: list[Iterator[BlockId]] = [iter((root,))]
    while pending:
        ident = next(pending[-1], None)
        if ident is None:
            pending.pop()
            continue
        block = fetch(ident)
        verify_block(ident, block)
        if ident.codec == RAW:
            if block:
                yield block
            continue
        data, children = file_node(ident, block)
        if data:
            yield data
        if children:
            pending.append(iter(children))


def iter_dag(root: BlockId, fetch: Fetch) -> Iterator[BlockId]:
    """Every block of the file's DAG, parents first; fetches (and verifies) dag-pb nodes only, never raw leaves."""
    pending = [root]
    while pending:
        ident = pending.pop()
        yield ident
        if ident.codec == RAW:
            continue
        block = fetch(ident)
        verify_block(ident, block)
        _, children = file_node(ident, block)
        pending.extend(reversed(children))


def file_node(ident: BlockId, block: bytes) -> tuple[bytes | None, list[BlockId]]:
    """A dag-pb block's inline file bytes and its children; anything but a UnixFS file is refused."""
    try:
        node = dagpb.decode_node(block)
        if node.data is None:
            raise UnsupportedContent(f"{ident} is a dag-pb node without UnixFS data, not a file", cid=str(ident))
        meta = unixfs.decode(node.data)
        children = [BlockId.from_binary(link.hash) for link in node.links]
    except (WireError, ValueError, KeyError) as exc:  # WireError is a ValueError; multiformats raises both kinds
        raise UnsupportedContent(f"{ident} is not a valid dag-pb/UnixFS node: {exc}", cid=str(ident)) from None
    if meta.type not in unixfs.FILE_TYPES:
        raise UnsupportedContent(f"{ident} is a UnixFS {meta.type.name.lower()}, not a file", cid=str(ident))
    return meta.data, children
