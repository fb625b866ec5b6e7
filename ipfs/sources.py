"""What `add` accepts — bytes, a binary file object or an iterable of byte pieces — read as bounded pieces.

Big uploads are never read whole: pieces are at most `piece_size` bytes, and the size limit is enforced while
reading, so an oversized stream is refused after `limit + 1` bytes, not at its end.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import BinaryIO

from ipfs.errors import UploadTooLarge
from ipfs.importer import CHUNK_SIZE

Source = bytes | bytearray | memoryview | BinaryIO | Iterable[bytes]

PIECE_SIZE = CHUNK_SIZE  # one importer chunk per read: no re-buffering, and memory stays at a chunk or two


def iter_pieces(source: Source, piece_size: int = PIECE_SIZE) -> Iterator[bytes]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        view = memoryview(source).cast("B")
        for start in range(0, len(view), piece_size):
            yield bytes(view[start : start + piece_size])
        return
    read = getattr(source, "read", None)
    if read is not None:
        while piece := read(piece_size):
            if not isinstance(piece, (bytes, bytearray)):
                raise TypeError("file objects given to add must be opened in binary mode")
            yield bytes(piece)
        return
    if isinstance(source, str):
        raise TypeError("add takes bytes, a binary file or an iterable of bytes, not str")
    for piece in source:
        if not isinstance(piece, (bytes, bytearray, memoryview)):
            raise TypeError(f"iterable sources must yield bytes, got {type(piece).__name__}")
        yield bytes(piece)


def known_size(source: Source) -> int | None:
    """The size without reading, when the source says it (bytes-like); lets oversized bytes fail before any I/O."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return memoryview(source).nbytes
    return None


def limited(pieces: Iterable[bytes], max_bytes: int) -> Iterator[bytes]:
    total = 0
    for piece in pieces:
        total += len(piece)
        if total > max_bytes:
            raise UploadTooLarge(f"upload exceeds the limit of {max_bytes} bytes", limit=max_bytes)
        yield piece


def check_known_size(source: Source, max_bytes: int) -> None:
    size = known_size(source)
    if size is not None and size > max_bytes:
        raise UploadTooLarge(f"upload of {size} bytes exceeds the limit of {max_bytes} bytes", limit=max_bytes)
