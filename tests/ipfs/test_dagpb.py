"""dag-pb nodes: kubo's byte layout, and decoding what was encoded."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ipfs.dagpb import PBLink, PBNode, decode_node, encode_node

links = st.builds(
    PBLink,
    hash=st.binary(min_size=34, max_size=36),
    name=st.one_of(st.none(), st.text(max_size=10)),
    tsize=st.one_of(st.none(), st.integers(0, 2**63)),
)
nodes = st.builds(
    PBNode, links=st.lists(links, max_size=5).map(tuple), data=st.one_of(st.none(), st.binary(max_size=64))
)


def test_empty_file_node_is_kubos() -> None:
    # The node behind QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH: Data = UnixFS{Type: File, filesize: 0}.
    assert encode_node(PBNode(data=bytes.fromhex("08021800"))).hex() == "0a0408021800"


def test_links_come_before_data_and_empty_names_are_written() -> None:
    node = PBNode(links=(PBLink(b"\x01\x02", "", 7),), data=b"\x08\x02")

    assert encode_node(node).hex() == "1208" + "0a020102" + "1200" + "1807" + "0a020802"


@given(nodes)
def test_nodes_round_trip(node: PBNode) -> None:
    assert decode_node(encode_node(node)) == node
