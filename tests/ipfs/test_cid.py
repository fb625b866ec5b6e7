"""compute_cid: the CIDv1 raw-leaves form kubo gives with `ipfs add --cid-version 1 --raw-leaves`, and parsing."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from multiformats import CID

from ipfs import dagpb, unixfs
from ipfs.blocks import DAG_PB, RAW, BlockId, block_cid
from ipfs.cid import canonical, compute_cid, compute_cid_of_chunks, parse_cid
from ipfs.errors import InvalidCid
from ipfs.importer import KUBO_CIDV0, KUBO_CIDV1, DagBuilder, ImportProfile
from tests.ipfs.samples import CHUNK, MIB, ONE_FULL_NODE, TWO_LEVELS, random_bytes

# Published by kubo's docs and widely reproduced (`echo "hello world" | ipfs add ...`).
PUBLISHED = [
    (b"", KUBO_CIDV1, "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"),
    (b"hello world\n", KUBO_CIDV1, "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"),
    (b"hello world", KUBO_CIDV1, "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"),
    (b"", KUBO_CIDV0, "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"),
    (b"hello world\n", KUBO_CIDV0, "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"),
]

# Multi-block CIDv1 raw-leaves vectors for random_bytes(size), from an independent implementation: the JS
# importer kubo's interop suite runs against (npm ipfs-unixfs-importer 17.1.1, profile 'unixfs-v0-2015' with
# cidVersion 1, rawLeaves true: 256 KiB chunks, balanced, 174 links). Its CIDv0 answers for the same inputs
# matched in-process kubo's, so the two agree where kubo could be asked directly.
INDEPENDENT_V1 = [
    (1, "bafkreiekgmp53zydf4z2ohq3fysx3aawny2i4ah4wf4rj5el3nl2drrqa4"),
    (CHUNK, "bafkreih2bk74eu5axngebs6vftmmkcaqboysjjy726xzy5hksnqmfgw5fy"),
    (CHUNK + 1, "bafybeidbbs6ocod3v27jtr4uhvc6n55y3gbrtur3bvjsnraudtbxkozi2y"),
    (MIB, "bafybeigxrbq7fuchvgd6onff4gbsw5a2p2723maltvtkbglz3l5sak37gm"),
    (10 * MIB, "bafybeib74xcwycrnh4c5oujzjjgudttc4y2nk6worz7gyw6dkus4f66rmy"),
    (ONE_FULL_NODE, "bafybeih3ebhydpblov22wbakszm4spvku7hbo3oa5gdhgoh7gnub26mtx4"),
    (ONE_FULL_NODE + 1, "bafybeidsyc3rx6lmbjml2fg4ucagkjh3kse6tbphoyyhms46fqhmu6ujbi"),
    (TWO_LEVELS, "bafybeifxkfpzerbn4rfcejvctw4zdiuoslnl45x4hxvviizsnm7lx6z2na"),
]


@pytest.mark.parametrize(("data", "profile", "expected"), PUBLISHED)
def test_published_kubo_cids(data: bytes, profile: ImportProfile, expected: str) -> None:
    assert compute_cid(data, profile) == expected


@pytest.mark.parametrize(("size", "expected"), INDEPENDENT_V1)
def test_cidv1_raw_leaves_matches_independent_importer(size: int, expected: str) -> None:
    assert compute_cid(random_bytes(size)) == expected


def test_up_to_one_chunk_is_a_single_raw_block() -> None:
    data = random_bytes(CHUNK)

    cid = CID.decode(compute_cid(data))

    assert (cid.version, cid.codec.name) == (1, RAW)
    assert cid == block_cid(data, RAW, 1)


def test_more_than_one_chunk_is_a_dag_pb_root_over_raw_leaves() -> None:
    data = random_bytes(CHUNK + 1)
    blocks: list[tuple[BlockId, bytes]] = []
    builder = DagBuilder(KUBO_CIDV1, sink=lambda c, b: blocks.append((c, b)))
    builder.write(data)
    root = builder.finish()

    assert [ident.codec for ident, _ in blocks] == [RAW, RAW, DAG_PB]
    assert blocks[-1][0].cid() == root
    node = dagpb.decode_node(blocks[-1][1])
    meta = unixfs.decode(node.data or b"")
    assert meta == unixfs.UnixFSData(unixfs.DataType.FILE, None, CHUNK + 1, (CHUNK, 1))
    assert [link.tsize for link in node.links] == [CHUNK, 1]  # a raw leaf's Tsize is its length
    assert [link.name for link in node.links] == ["", ""]


@settings(max_examples=40, deadline=None)
@given(
    data=st.binary(max_size=3 * 4096 + 5),
    cuts=st.lists(st.integers(min_value=0, max_value=3 * 4096 + 5), max_size=8),
)
def test_cid_does_not_depend_on_how_the_bytes_are_split(data: bytes, cuts: list[int]) -> None:
    profile = ImportProfile(cid_version=1, raw_leaves=True, chunk_size=4096, max_links=3)
    bounds = [0, *sorted(c for c in cuts if c <= len(data)), len(data)]
    pieces = [data[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]

    assert compute_cid_of_chunks(pieces, profile) == compute_cid(data, profile)


# ----- layout: the streaming builder against kubo's balanced layout written out plainly ------------


@dataclass(frozen=True)
class _Sub:
    cid: CID
    tsize: int
    filesize: int


def _balanced_reference(data: bytes, profile: ImportProfile) -> str:
    """kubo's balanced layout as go-unixfs describes it: the first leaf is the root; while data remains, a new
    root at the next depth takes the old root as first child and is filled depth-first up to max_links children,
    each a full subtree of the depth below."""
    chunks = [data[i : i + profile.chunk_size] for i in range(0, len(data), profile.chunk_size)] or [b""]
    position = 0

    def leaf() -> _Sub:
        nonlocal position
        chunk = chunks[position]
        position += 1
        if profile.raw_leaves:
            return _Sub(block_cid(chunk, RAW, 1), len(chunk), len(chunk))
        block = dagpb.encode_node(dagpb.PBNode(data=unixfs.encode_file(chunk, len(chunk))))
        return _Sub(block_cid(block, DAG_PB, profile.cid_version), len(block), len(chunk))

    def node(children: list[_Sub]) -> _Sub:
        sizes = [c.filesize for c in children]
        links = tuple(dagpb.PBLink(bytes(c.cid), "", c.tsize) for c in children)
        block = dagpb.encode_node(dagpb.PBNode(links, unixfs.encode_file(None, sum(sizes), sizes)))
        cid = block_cid(block, DAG_PB, profile.cid_version)
        return _Sub(cid, len(block) + sum(c.tsize for c in children), sum(sizes))

    def fill(children: list[_Sub], depth: int) -> _Sub:
        while len(children) < profile.max_links and position < len(chunks):
            children.append(leaf() if depth == 1 else fill([], depth - 1))
        return node(children)

    root = leaf()
    depth = 1
    while position < len(chunks):
        root = fill([root], depth)
        depth += 1
    return str(root.cid)


@settings(max_examples=150, deadline=None)
@given(
    leaves=st.integers(min_value=0, max_value=70),
    max_links=st.integers(min_value=2, max_value=5),
    raw_leaves=st.booleans(),
    seed=st.integers(min_value=0, max_value=1000),
)
def test_streaming_builder_matches_balanced_layout_at_any_depth(
    leaves: int, max_links: int, raw_leaves: bool, seed: int
) -> None:
    # Small chunks and fan-out reach three and four levels, which kubo itself would need gigabytes for.
    profile = ImportProfile(cid_version=1, raw_leaves=raw_leaves, chunk_size=16, max_links=max_links)
    data = random_bytes(leaves * 16 - (seed % 16 if leaves else 0), seed)

    assert compute_cid(data, profile) == _balanced_reference(data, profile)


# ----- parsing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["", "hello", "Qm123", "bafy", " bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", "zzzz"]
)
def test_parse_cid_refuses_what_is_not_a_cid(text: str) -> None:
    with pytest.raises(InvalidCid) as raised:
        parse_cid(text)
    assert raised.value.code == "INVALID_CID"


def test_parse_cid_accepts_v0_and_v1_in_any_base() -> None:
    v1 = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
    other_base = str(CID.decode(v1).set(base="base58btc"))

    assert parse_cid(other_base) == parse_cid(v1)
    assert parse_cid("QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH").version == 0


def test_canonical_form_is_cidv1_base32() -> None:
    assert canonical("QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH") == (
        "bafybeif7ztnhq65lumvvtr4ekcwd2ifwgm3awq4zfr3srh462rwyinlb4y"
    )
