"""The local content store: blocks as files under `<data dir>/ipfs/`, the default when no IPFS node is configured.

Layout: `blocks/<xx>/<multihash hex>` (keyed by multihash like kubo's blockstore, so a CIDv0 and its CIDv1 twin
name the same file), `pins/<CIDv1>` markers, and `staging/<pid>-<token>/` for adds in progress. An add writes
every block into its own staging directory and only then renames them into `blocks/`, children before the root:
a failed add leaves nothing behind, and a killed one at most whole, correct blocks without their root (harmless:
content-addressed) — never a half-written file. Staging directories of dead processes are swept on open.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from multiformats import CID

from ipfs.blocks import RAW, BlockId, verify_block
from ipfs.cid import canonical, parse_cid
from ipfs.errors import ContentNotFound
from ipfs.importer import KUBO_CIDV1, DagBuilder
from ipfs.reader import iter_dag
from ipfs.sources import Source, check_known_size, iter_pieces, limited
from ipfs.store import DEFAULT_MAX_UPLOAD_BYTES, ContentStore


class LocalStore(ContentStore):
    def __init__(self, root: Path, *, max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES, durable: bool = True) -> None:
        """`durable` fsyncs blocks and directories before an add returns: a CID once handed out survives a crash."""
        self.root = root
        self.max_upload_bytes = max_upload_bytes
        self.durable = durable
        self._blocks = root / "blocks"
        self._pins = root / "pins"
        self._staging = root / "staging"
        for path in (self._blocks, self._pins, self._staging):
            path.mkdir(parents=True, exist_ok=True)
        self._sweep_staging()

    def describe(self) -> str:
        return f"local content store at {self.root}"

    # ----- writing -------------------------------------------------------------------------------

    def add(self, source: Source) -> str:
        check_known_size(source, self.max_upload_bytes)
        with _Staging(self._staging, self.durable) as staging:
            builder = DagBuilder(KUBO_CIDV1, sink=staging.put)
            for piece in limited(iter_pieces(source), self.max_upload_bytes):
                builder.write(piece)
            root = builder.finish()
            staging.commit(self._block_path)
        return str(root)

    def pin(self, cid: str | CID) -> None:
        root = parse_cid(cid)
        # Every dag-pb node is read and verified on the way; raw leaves only need to exist.
        for node in iter_dag(BlockId.of(root), self._fetch_block):
            if node.codec == RAW and not self._block_path(node).exists():
                raise ContentNotFound(f"{node} (part of {root}) is not in the local store", cid=str(root))
        # Nothing is ever garbage-collected here yet; the marker records intent for when something is.
        (self._pins / canonical(root)).touch(exist_ok=True)

    def is_pinned(self, cid: str | CID) -> bool:
        return (self._pins / canonical(cid)).exists()

    # ----- reading -------------------------------------------------------------------------------

    def has(self, cid: str | CID) -> bool:
        # The root block is renamed into place last, so its presence means the whole DAG is there.
        return self._block_path(BlockId.of(parse_cid(cid))).exists()

    def block(self, cid: str | CID) -> bytes:
        """One verified block, as kubo's `block/get` serves it."""
        ident = BlockId.of(parse_cid(cid))
        data = self._fetch_block(ident)
        verify_block(ident, data)
        return data

    def _fetch_block(self, block: BlockId) -> bytes:
        try:
            return self._block_path(block).read_bytes()
        except FileNotFoundError:
            raise ContentNotFound(f"{block} is not in the local store", cid=str(block)) from None

    def _block_path(self, block: BlockId | str) -> Path:
        key = block if isinstance(block, str) else block.key
        # Shard on the digest's tail (as kubo's flatfs does): uniform whatever the multihash prefix.
        return self._blocks / key[-4:-2] / key

    def _sweep_staging(self) -> None:
        for entry in self._staging.iterdir():
            pid, _, _ = entry.name.partition("-")
            if pid.isdigit() and (int(pid) == os.getpid() or _process_alive(int(pid))):
                continue
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


class _Staging:
    """One add's private directory: blocks land here first and move into the store only on commit."""

    def __init__(self, parent: Path, durable: bool) -> None:
        self.path = parent / f"{os.getpid()}-{secrets.token_hex(8)}"
        self.durable = durable
        self._keys: dict[str, None] = {}  # insertion-ordered: children first, root last

    def __enter__(self) -> _Staging:
        self.path.mkdir()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def put(self, ident: BlockId, block: bytes) -> None:
        key = ident.key
        if key in self._keys:  # a repeated chunk (runs of zeros...) is one block
            return
        with open(self.path / key, "xb") as f:
            f.write(block)
            if self.durable:
                f.flush()
                os.fsync(f.fileno())
        self._keys[key] = None

    def commit(self, destination: Callable[[str], Path]) -> None:
        touched: set[Path] = set()
        for key in self._keys:
            target = destination(key)
            if target.exists():
                continue  # same multihash, same bytes: already stored
            try:
                os.replace(self.path / key, target)
            except FileNotFoundError:  # first block in this shard: mkdir only then (it is slow on overlay fs)
                target.parent.mkdir(exist_ok=True)
                os.replace(self.path / key, target)
            touched.add(target.parent)
        if self.durable:
            for directory in touched:
                _fsync_dir(directory)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
