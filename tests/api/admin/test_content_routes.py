"""GET /api/v1/metadata/{id} (the ERC-1155 metadata `uri(id)` points at, raw JSON) and GET /api/v1/ipfs/{cid}
(content verified against its CID): content types, cache headers, ETags, and content that fails its CID is never
served."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipfs.blocks import BlockId
from ipfs.cid import compute_cid, parse_cid
from tests.api.admin.conftest import Admin
from tests.api.test_conventions import assert_error


def hex_id(token_id: int) -> str:
    return f"{token_id:064x}"


def corrupt(admin: Admin, cid: str, data: bytes = b"tampered") -> None:
    path = admin.store._block_path(BlockId.of(parse_cid(cid)))
    path.chmod(0o644)
    path.write_bytes(data)


def test_metadata_is_the_pinned_document_by_hex_and_decimal_id(admin: Admin) -> None:
    project = admin.create()
    cid = project["metadata_cid"]
    pinned = admin.store.get(cid)
    for token in (hex_id(1), "1", hex_id(1) + ".json"):
        answer = admin.api.client.get(f"/api/v1/metadata/{token}")
        assert answer.status_code == 200, answer.text
        assert answer.content == pinned
        assert answer.headers["content-type"] == "application/json"
        assert answer.headers["etag"] == f'"{cid}"'
        assert answer.headers["cache-control"] == "public, max-age=300"
        assert answer.headers["access-control-allow-origin"] == "*"
    document = json.loads(pinned)
    assert "success" not in document and document["name"] == project["name"]
    again = admin.api.client.get(f"/api/v1/metadata/{hex_id(1)}", headers={"If-None-Match": f'"{cid}"'})
    assert again.status_code == 304 and again.content == b""


def test_unknown_and_invalid_token_ids(admin: Admin) -> None:
    admin.create()
    assert_error(admin.api.client.get(f"/api/v1/metadata/{hex_id(2)}"), 404, "PROJECT_NOT_FOUND")
    assert_error(admin.api.client.get("/api/v1/metadata/2"), 404, "PROJECT_NOT_FOUND")
    for bad in ("abc", "-1", "1.5", "0x1", "1" * 79, str(2**256), "f" * 63):
        assert_error(admin.api.client.get(f"/api/v1/metadata/{bad}"), 400, "INVALID_TOKEN_ID")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.text(min_size=1, max_size=80).filter(lambda s: s not in (".", "..")))
def test_any_token_id_text_gets_an_envelope_never_a_server_error(admin: Admin, raw: str) -> None:
    answer = admin.api.client.get(f"/api/v1/metadata/{quote(raw, safe='')}")
    assert answer.status_code < 500
    if answer.status_code != 200:
        assert answer.json()["success"] is False


def test_metadata_is_rebuilt_from_the_catalogue_when_the_store_lost_it_and_matches_its_cid(admin: Admin) -> None:
    project = admin.create(technical_specs={})
    cid = project["metadata_cid"]
    pinned = admin.store.get(cid)
    admin.store._block_path(BlockId.of(parse_cid(cid))).unlink()
    answer = admin.api.client.get("/api/v1/metadata/1")
    assert answer.status_code == 200 and answer.content == pinned  # same catalogue facts, same bytes, same CID
    assert answer.headers["etag"] == f'"{cid}"'


def test_corrupt_pinned_metadata_is_never_served(admin: Admin) -> None:
    project = admin.create()
    corrupt(admin, project["metadata_cid"], b'{"name":"evil","properties":{}}')
    answer = admin.api.client.get("/api/v1/metadata/1")
    assert answer.status_code == 200
    assert b"evil" not in answer.content and json.loads(answer.content)["name"] == project["name"]
    assert answer.headers["etag"].startswith("W/")  # built from the catalogue: not the pinned document


def test_ipfs_content_of_the_metadata_is_json_with_immutable_caching(admin: Admin) -> None:
    cid = admin.create()["metadata_cid"]
    answer = admin.api.client.get(f"/api/v1/ipfs/{cid}")
    assert answer.status_code == 200 and compute_cid(answer.content) == cid
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["etag"] == f'"{cid}"'
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert admin.api.client.get(f"/api/v1/ipfs/{cid}", headers={"If-None-Match": f'"{cid}"'}).status_code == 304


def test_ipfs_content_unknown_to_the_catalogue_is_an_octet_stream_attachment(admin: Admin) -> None:
    cid = admin.store.add(b"<html><script>alert(1)</script></html>")
    answer = admin.api.client.get(f"/api/v1/ipfs/{cid}")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/octet-stream"
    assert answer.headers["content-disposition"] == f'attachment; filename="{cid}"'
    assert answer.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("bad", ["not-a-cid", "Qm", "bafy" + "1" * 20, "z" * 100])
def test_an_invalid_cid_is_400(admin: Admin, bad: str) -> None:
    assert_error(admin.api.client.get(f"/api/v1/ipfs/{bad}"), 400, "INVALID_CID")


def test_an_unknown_cid_is_404_and_an_unsupported_one_400(admin: Admin) -> None:
    assert_error(admin.api.client.get(f"/api/v1/ipfs/{compute_cid(b'nobody')}"), 404, "CONTENT_NOT_FOUND")
    dag_cbor = str(parse_cid(compute_cid(b"x")).set(codec="dag-cbor"))
    assert_error(admin.api.client.get(f"/api/v1/ipfs/{dag_cbor}"), 400, "UNSUPPORTED_CONTENT")


def test_content_that_does_not_match_its_cid_is_never_served(admin: Admin) -> None:
    cid = admin.store.add(b"the real document")
    corrupt(admin, cid)
    answer = assert_error(admin.api.client.get(f"/api/v1/ipfs/{cid}"), 502, "CONTENT_INTEGRITY_FAILED")
    assert "tampered" not in json.dumps(answer)


def test_content_larger_than_the_buffer_streams_verified(admin: Admin) -> None:
    big = bytes(range(256)) * (9 * 4096 + 7)  # ~9.4 MB: past the 8 MiB read up front
    cid = admin.store.add(big)
    answer = admin.api.client.get(f"/api/v1/ipfs/{cid}")
    assert answer.status_code == 200 and answer.content == big
    assert answer.headers["etag"] == f'"{cid}"'
