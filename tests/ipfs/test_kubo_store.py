"""KuboStore against a FAKE kubo RPC server on 127.0.0.1 (tests/ipfs/fake_kubo.py): requests, answers, faults."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipfs.cid import canonical, compute_cid
from ipfs.errors import ContentNotFound, IntegrityError, InvalidCid, StoreUnavailable, UploadTooLarge
from ipfs.kubo_store import KuboStore
from tests.ipfs.fake_kubo import FakeKubo, unused_loopback_port
from tests.ipfs.samples import CHUNK, random_bytes

UNKNOWN = compute_cid(b"content nobody added")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=4096))
def test_add_then_get_round_trips_through_the_rpc_api(kubo_store: KuboStore, data: bytes) -> None:
    cid = kubo_store.add(data)

    assert cid == compute_cid(data)
    assert kubo_store.get(cid) == data


def test_multi_block_file_streams_back_block_by_block(kubo_store: KuboStore, fake_kubo: FakeKubo) -> None:
    data = random_bytes(3 * CHUNK + 9)

    cid = kubo_store.add(io.BytesIO(data))

    assert cid == compute_cid(data)
    assert b"".join(kubo_store.stream(cid)) == data
    assert sum(path == "/api/v0/block/get" for path, _ in fake_kubo.calls) == 5  # root + 4 leaves


def test_add_asks_kubo_for_cidv1_raw_leaves_and_does_not_pin(kubo_store: KuboStore, fake_kubo: FakeKubo) -> None:
    kubo_store.add(b"document")

    ((path, query),) = [c for c in fake_kubo.calls if c[0] == "/api/v0/add"]
    assert query["cid-version"] == "1"
    assert query["raw-leaves"] == "true"
    assert query["chunker"] == "size-262144"
    assert query["pin"] == "false"
    assert fake_kubo.pins == set()


def test_pin_calls_pin_add(kubo_store: KuboStore, fake_kubo: FakeKubo) -> None:
    cid = kubo_store.add(b"document")

    kubo_store.pin(cid)

    assert ("/api/v0/pin/add", {"arg": cid, "timeout": "10s"}) in fake_kubo.calls
    assert fake_kubo.pins == {canonical(cid)}


def test_has_asks_the_node_offline(kubo_store: KuboStore, fake_kubo: FakeKubo) -> None:
    cid = kubo_store.add(b"document")

    assert kubo_store.has(cid)
    assert not kubo_store.has(UNKNOWN)
    assert all(q.get("offline") == "true" for path, q in fake_kubo.calls if path == "/api/v0/block/stat")


def test_describe_names_the_kubo_version(kubo_store: KuboStore, fake_kubo: FakeKubo) -> None:
    assert kubo_store.describe() == f"kubo 0.22.0-fake at {fake_kubo.url}"


# ----- wrong answers ------------------------------------------------------------------------------


def test_wrong_bytes_from_the_node_raise_integrity_error(kubo_store: KuboStore, fake_kubo: FakeKubo) -> None:
    cid = kubo_store.add(b"project metadata")
    fake_kubo.corrupt.add(canonical(cid))

    with pytest.raises(IntegrityError):
        kubo_store.get(cid)


def test_wrong_leaf_from_the_node_stops_the_stream_before_it(kubo_store: KuboStore, fake_kubo: FakeKubo) -> None:
    first, second = random_bytes(CHUNK, seed=1), random_bytes(CHUNK, seed=2)
    cid = kubo_store.add(first + second)
    fake_kubo.corrupt.add(compute_cid(second))

    received: list[bytes] = []
    with pytest.raises(IntegrityError):
        for piece in kubo_store.stream(cid):
            received.append(piece)

    assert received == [first]


def test_node_answering_another_cid_on_add_raises_integrity_error(kubo_store: KuboStore, fake_kubo: FakeKubo) -> None:
    fake_kubo.add_answer = compute_cid(b"something else")

    with pytest.raises(IntegrityError, match="answered"):
        kubo_store.add(b"project metadata")


def test_unknown_cid_is_content_not_found(kubo_store: KuboStore) -> None:
    with pytest.raises(ContentNotFound):
        kubo_store.get(UNKNOWN)
    with pytest.raises(ContentNotFound):
        kubo_store.pin(UNKNOWN)


@pytest.mark.parametrize("method", ["get", "stream", "pin", "has"])
def test_invalid_cid_is_refused_without_a_request(kubo_store: KuboStore, fake_kubo: FakeKubo, method: str) -> None:
    with pytest.raises(InvalidCid):
        getattr(kubo_store, method)("Qm-not-a-cid")

    assert fake_kubo.calls == []


# ----- unreachable or not kubo ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.add(b"x"),
        lambda s: s.get(UNKNOWN),
        lambda s: s.pin(UNKNOWN),
        lambda s: s.has(UNKNOWN),
        lambda s: s.describe(),
    ],
    ids=["add", "get", "pin", "has", "describe"],
)
def test_unreachable_node_is_store_unavailable(call: object) -> None:
    store = KuboStore(f"http://127.0.0.1:{unused_loopback_port()}", timeout=2)
    with store, pytest.raises(StoreUnavailable) as raised:
        call(store)  # type: ignore[operator]

    assert raised.value.code == "STORE_UNAVAILABLE"
    assert "unreachable" in raised.value.message


def test_a_server_that_is_not_kubo_is_store_unavailable(kubo_store: KuboStore, fake_kubo: FakeKubo) -> None:
    fake_kubo.not_kubo = True

    with pytest.raises(StoreUnavailable, match="kubo RPC API"):
        kubo_store.get(UNKNOWN)


# ----- size limit ---------------------------------------------------------------------------------


def test_oversized_bytes_are_refused_before_any_request(fake_kubo: FakeKubo) -> None:
    with KuboStore(fake_kubo.url, max_upload_bytes=100) as store, pytest.raises(UploadTooLarge):
        store.add(b"x" * 101)

    assert fake_kubo.calls == []


def test_oversized_stream_is_cut_off_and_nothing_is_stored(fake_kubo: FakeKubo) -> None:
    def pieces() -> Iterator[bytes]:
        for seed in range(10):
            yield random_bytes(CHUNK, seed)

    with KuboStore(fake_kubo.url, max_upload_bytes=3 * CHUNK) as store, pytest.raises(UploadTooLarge):
        store.add(pieces())

    assert [p for p in (fake_kubo.store.root / "blocks").rglob("*") if p.is_file()] == []


def test_credentials_in_the_url_are_sent_but_never_shown(fake_kubo: FakeKubo) -> None:
    url = fake_kubo.url.replace("http://", "http://project:s3cret@")
    with KuboStore(url) as store:
        assert store.describe() == f"kubo 0.22.0-fake at {fake_kubo.url}"
        assert fake_kubo.last_authorization == "Basic cHJvamVjdDpzM2NyZXQ="  # project:s3cret
    port = unused_loopback_port()
    with KuboStore(f"http://project:s3cret@127.0.0.1:{port}") as store, pytest.raises(StoreUnavailable) as raised:
        store.describe()
    assert "s3cret" not in raised.value.message
