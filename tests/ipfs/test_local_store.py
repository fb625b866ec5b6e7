"""The local block store: round trips, verification on read, and nothing half-written ever left behind."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from multiformats import CID

from ipfs import dagpb, unixfs
from ipfs.blocks import DAG_PB, BlockId, block_cid, block_id
from ipfs.cid import compute_cid
from ipfs.errors import ContentNotFound, IntegrityError, InvalidCid, UnsupportedContent, UploadTooLarge
from ipfs.local_store import LocalStore
from tests.ipfs.samples import CHUNK, random_bytes

UNKNOWN = compute_cid(b"content nobody added")


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def block_files(store: LocalStore) -> list[Path]:
    return files_under(store.root / "blocks")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2048))
def test_add_then_get_returns_the_same_bytes_under_kubos_cid(local_store: LocalStore, data: bytes) -> None:
    cid = local_store.add(data)

    assert cid == compute_cid(data)
    assert local_store.get(cid) == data
    assert local_store.has(cid)


def test_multi_block_file_round_trips_from_a_file_object(local_store: LocalStore) -> None:
    data = random_bytes(3 * CHUNK + 123)

    cid = local_store.add(io.BytesIO(data))

    assert cid == compute_cid(data)
    assert local_store.get(cid) == data
    assert all(len(piece) <= CHUNK for piece in local_store.stream(cid))


def test_add_accepts_an_iterable_of_pieces(local_store: LocalStore) -> None:
    data = random_bytes(CHUNK + 5)
    pieces = (data[i : i + 1000] for i in range(0, len(data), 1000))

    assert local_store.add(pieces) == compute_cid(data)


def test_repeated_chunks_are_stored_once(local_store: LocalStore) -> None:
    cid = local_store.add(bytes(4 * CHUNK))

    assert local_store.get(cid) == bytes(4 * CHUNK)
    assert len(block_files(local_store)) == 2  # the zero chunk and the root


def test_adding_the_same_content_twice_changes_nothing(local_store: LocalStore) -> None:
    data = random_bytes(2 * CHUNK + 1)
    first = local_store.add(data)
    before = {p: p.stat().st_mtime_ns for p in block_files(local_store)}

    assert local_store.add(data) == first
    assert {p: p.stat().st_mtime_ns for p in block_files(local_store)} == before


def test_cidv0_of_stored_dag_pb_root_reads_the_same_content(local_store: LocalStore) -> None:
    data = random_bytes(CHUNK + 1)
    cid = CID.decode(local_store.add(data))

    v0 = cid.set(version=0, base="base58btc")

    assert local_store.has(str(v0))
    assert local_store.get(str(v0)) == data


def test_pin_records_a_complete_dag(local_store: LocalStore) -> None:
    cid = local_store.add(random_bytes(2 * CHUNK + 1))

    local_store.pin(cid)

    assert local_store.is_pinned(cid)


def test_pin_of_a_dag_with_a_missing_leaf_is_content_not_found(local_store: LocalStore) -> None:
    cid = local_store.add(random_bytes(2 * CHUNK + 1))
    leaf = next(p for p in block_files(local_store) if p.stat().st_size == CHUNK)
    leaf.unlink()

    with pytest.raises(ContentNotFound):
        local_store.pin(cid)
    assert not local_store.is_pinned(cid)


# ----- bad input ------------------------------------------------------------------------------------


def test_unknown_cid_is_content_not_found(local_store: LocalStore) -> None:
    with pytest.raises(ContentNotFound) as raised:
        local_store.get(UNKNOWN)
    assert raised.value.code == "CONTENT_NOT_FOUND"
    assert not local_store.has(UNKNOWN)
    with pytest.raises(ContentNotFound):
        local_store.pin(UNKNOWN)


@pytest.mark.parametrize("method", ["get", "stream", "pin", "has"])
def test_invalid_cid_is_refused_by_every_method(local_store: LocalStore, method: str) -> None:
    with pytest.raises(InvalidCid):
        getattr(local_store, method)("not-a-cid")


def test_cid_of_another_codec_is_unsupported(local_store: LocalStore) -> None:
    dag_cbor = CID.decode(compute_cid(b"x")).set(codec="dag-cbor")

    with pytest.raises(UnsupportedContent) as raised:
        local_store.get(str(dag_cbor))
    assert raised.value.code == "UNSUPPORTED_CONTENT"


def test_a_unixfs_directory_is_unsupported_not_returned(local_store: LocalStore) -> None:
    directory = dagpb.encode_node(dagpb.PBNode(data=bytes([0x08, unixfs.DataType.DIRECTORY])))
    cid = block_cid(directory, DAG_PB, 1)
    path = local_store._block_path(BlockId.of(cid))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(directory)

    with pytest.raises(UnsupportedContent, match="directory"):
        local_store.get(str(cid))


def test_oversized_bytes_are_refused_before_anything_is_written(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "ipfs", max_upload_bytes=1000)

    with pytest.raises(UploadTooLarge) as raised:
        store.add(b"x" * 1001)

    assert raised.value.code == "UPLOAD_TOO_LARGE"
    assert files_under(store.root) == []
    assert store.add(b"x" * 1000) == compute_cid(b"x" * 1000)  # the limit itself is allowed


def test_oversized_stream_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "ipfs", max_upload_bytes=2 * CHUNK)

    with pytest.raises(UploadTooLarge):
        store.add(io.BytesIO(random_bytes(3 * CHUNK)))

    assert files_under(store.root) == []


def test_stream_failing_midway_leaves_no_block_and_no_temp_file(local_store: LocalStore) -> None:
    def failing() -> Iterator[bytes]:
        yield random_bytes(CHUNK, seed=1)
        yield random_bytes(CHUNK, seed=2)  # two complete leaves already staged
        raise OSError("upload connection lost")

    with pytest.raises(OSError, match="connection lost"):
        local_store.add(failing())

    assert files_under(local_store.root) == []
    assert list((local_store.root / "staging").iterdir()) == []


def test_staging_left_by_a_killed_process_is_swept_on_open(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / "ipfs" / "staging" / f"{dead.stdout.strip()}-0123456789abcdef"
    stale.mkdir(parents=True)
    (stale / "1220abcd").write_bytes(b"half a block")
    alive = tmp_path / "ipfs" / "staging" / f"{os.getpid()}-fedcba9876543210"
    alive.mkdir()

    LocalStore(tmp_path / "ipfs")

    assert not stale.exists()
    assert alive.exists()  # a live process's add in progress is left alone


# ----- integrity ------------------------------------------------------------------------------------


def test_corrupt_block_on_disk_raises_integrity_error_never_data(local_store: LocalStore) -> None:
    cid = local_store.add(b"metadata document")
    (path,) = block_files(local_store)
    path.write_bytes(b"metadata documenT")

    with pytest.raises(IntegrityError) as raised:
        local_store.get(cid)
    assert raised.value.code == "INTEGRITY_ERROR"


def test_stream_stops_at_a_corrupt_leaf_before_yielding_it(local_store: LocalStore) -> None:
    first, second = random_bytes(CHUNK, seed=1), random_bytes(CHUNK, seed=2)
    cid = local_store.add(first + second)
    second_path = local_store._block_path(block_id(second, "raw", 1))
    second_path.write_bytes(bytes(CHUNK))

    received: list[bytes] = []
    with pytest.raises(IntegrityError):
        for piece in local_store.stream(cid):
            received.append(piece)

    assert received == [first]


def test_stream_fails_before_iteration_when_content_is_missing(local_store: LocalStore) -> None:
    with pytest.raises(ContentNotFound):
        local_store.stream(UNKNOWN)  # raised by the call itself, not by the first next()
