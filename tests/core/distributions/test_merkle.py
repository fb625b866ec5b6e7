"""Our StandardMerkleTree against OpenZeppelin's JavaScript library from npm: same roots, same proofs, same dump,
for random sets of (account, amount) leaves; and proofs that verify only for their own leaf."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.distributions.merkle import MerkleError, StandardMerkleTree, verify

REPO = Path(__file__).resolve().parents[3]
REFERENCE = Path(__file__).with_name("openzeppelin_tree.cjs")
TYPES = ("address", "uint256")

addresses = st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
leaves = st.lists(st.tuples(addresses, st.integers(min_value=0, max_value=2**256 - 1)), min_size=1, max_size=40)


def reference(trees: list[list[tuple[str, int]]]) -> list[dict[str, object]]:
    payload = [{"types": list(TYPES), "values": [[a, str(n)] for a, n in values]} for values in trees]
    done = subprocess.run(
        ["node", str(REFERENCE)], input=json.dumps(payload), capture_output=True, text=True, cwd=REPO, check=True
    )
    answer: list[dict[str, object]] = json.loads(done.stdout)
    return answer


@settings(max_examples=5, deadline=None)
@given(st.lists(leaves, min_size=1, max_size=12))
def test_roots_and_proofs_match_openzeppelin_merkle_tree(trees: list[list[tuple[str, int]]]) -> None:
    for values, js in zip(trees, reference(trees), strict=True):
        ours = StandardMerkleTree(values, TYPES)
        assert "0x" + ours.root.hex() == js["root"]
        assert [["0x" + p.hex() for p in ours.proof(i)] for i in range(len(values))] == js["proofs"]
        dump = ours.dump()
        js_dump = js["dump"]
        assert isinstance(js_dump, dict)
        assert dump["tree"] == js_dump["tree"]
        assert [v["treeIndex"] for v in dump["values"]] == [v["treeIndex"] for v in js_dump["values"]]


@settings(max_examples=50, deadline=None)
@given(leaves, st.data())
def test_a_proof_verifies_its_own_leaf_and_no_other_account_or_amount(
    values: list[tuple[str, int]], data: st.DataObject
) -> None:
    tree = StandardMerkleTree(values, TYPES)
    i = data.draw(st.integers(0, len(values) - 1))
    account, amount = values[i]
    proof = tree.proof(i)
    assert verify(tree.root, TYPES, (account, amount), proof)
    other = data.draw(addresses.filter(lambda a: a != account))
    if (other, amount) not in values:
        assert not verify(tree.root, TYPES, (other, amount), proof)
    more = (amount + 1) % 2**256
    if (account, more) not in values:
        assert not verify(tree.root, TYPES, (account, more), proof)


def test_an_empty_tree_is_refused() -> None:
    with pytest.raises(MerkleError):
        StandardMerkleTree([], TYPES)
