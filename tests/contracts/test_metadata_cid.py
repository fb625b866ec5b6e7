"""`createProject` takes a real IPFS CID only: CIDv0 (`Qm…`) or lower-case base32 CIDv1 (`bafy…`, `bafk…`).

Valid CIDs come from `multiformats` (the reference implementation), never from the contract's own rule; each
check is an `eth_call` of `createProject` as the project admin (nothing mined), one real transaction per kind.
"""

from __future__ import annotations

import pytest
from eth_account.signers.local import LocalAccount
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from multiformats import CID, multihash
from web3.exceptions import ContractCustomError

from ipfs.cid import compute_cid
from ipfs.metadata import ProjectMetadata, metadata_cid
from terra.ops.demo import demo_projects
from tests.conftest import Chain
from tests.contracts.conftest import Send
from tests.contracts.reverts import reverts_with

BASE58BTC = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BASE32_LOWER = "abcdefghijklmnopqrstuvwxyz234567"
SAMPLE_V0 = str(CID("base58btc", 0, "dag-pb", multihash.digest(b"sample", "sha2-256")))
SAMPLE_V1 = compute_cid(b"sample")  # bafkrei…, 59 characters
# The contract answers each eth_call fast, but the chain fixture is per test: reuse it across examples (read-only).
ON_CHAIN = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def accepted(chain: Chain, admin: LocalAccount, cid: str) -> bool:
    try:
        chain.ownership.functions.createProject(901, 1_000, cid).call({"from": admin.address})
    except ContractCustomError:
        return False
    return True


def cids_of(data: bytes) -> list[str]:
    sha = multihash.digest(data, "sha2-256")
    return [
        str(CID("base58btc", 0, "dag-pb", sha)),
        *(str(CID("base32", 1, codec, sha)) for codec in ("dag-pb", "raw", "dag-cbor", "dag-json")),
        str(CID("base32", 1, "raw", multihash.digest(data, "sha2-512"))),
    ]


@ON_CHAIN
@given(st.binary(max_size=64))
def test_every_cidv0_and_base32_cidv1_is_accepted(chain: Chain, admin: LocalAccount, data: bytes) -> None:
    for cid in cids_of(data):
        assert accepted(chain, admin, cid), cid


def test_the_demo_metadata_cids_are_accepted_as_cidv1_and_as_kubo_cidv0(chain: Chain, admin: LocalAccount) -> None:
    for project in demo_projects():
        v1 = metadata_cid(ProjectMetadata.model_validate(project))
        v0 = str(CID.decode(v1).set(base="base58btc", version=0)) if v1.startswith("bafybei") else None
        assert accepted(chain, admin, v1), v1
        if v0 is not None:
            assert accepted(chain, admin, v0), v0


def test_a_valid_cid_is_recorded_by_a_real_transaction(chain: Chain, admin: LocalAccount, send: Send) -> None:
    send(admin, chain.ownership.functions.createProject(900, 1_000, SAMPLE_V0))
    send(admin, chain.ownership.functions.createProject(901, 1_000, SAMPLE_V1))
    assert chain.ownership.functions.project(900).call()[1] == SAMPLE_V0
    assert chain.ownership.functions.project(901).call()[1] == SAMPLE_V1


INVALID = {
    "empty": "",
    "plain text": "cid",
    "too short to be a CIDv1": "bafkreiexample",
    "CIDv0 one character short": SAMPLE_V0[:-1],
    "CIDv0 one character long": SAMPLE_V0 + "a",
    "CIDv0 with 0 (not base58)": SAMPLE_V0[:-1] + "0",
    "CIDv0 with l (not base58)": SAMPLE_V0[:-1] + "l",
    "CIDv1 one character short": SAMPLE_V1[:58],
    "CIDv1 over the length limit": "ba" + "a" * 116,
    "CIDv1 in upper case": SAMPLE_V1.upper(),
    "CIDv1 with 1 (not base32)": SAMPLE_V1[:-1] + "1",
    "CIDv1 in base58btc (z…)": str(CID.decode(SAMPLE_V1).set(base="base58btc")),
    "base32 that is not CIDv1 (bb…)": "bb" + SAMPLE_V1[2:],
    "NUL byte": SAMPLE_V1[:30] + "\x00" + SAMPLE_V1[31:],
    "trailing NUL": SAMPLE_V0[:-1] + "\x00",
    "non-ASCII": SAMPLE_V1[:30] + "é" + SAMPLE_V1[31:],
    "leading space": " " + SAMPLE_V1[:-1],
    "ipfs:// URL": "ipfs://" + SAMPLE_V1,
}


@pytest.mark.parametrize("cid", INVALID.values(), ids=INVALID.keys())
def test_anything_else_is_refused_with_invalid_metadata_cid(chain: Chain, admin: LocalAccount, cid: str) -> None:
    with reverts_with(chain.ownership, "InvalidMetadataCid", cid):
        chain.ownership.functions.createProject(902, 1_000, cid).call({"from": admin.address})


def test_a_refused_cid_reverts_a_real_transaction_and_records_nothing(
    chain: Chain, admin: LocalAccount, send: Send
) -> None:
    bad = SAMPLE_V1[:30] + "\x00" + SAMPLE_V1[31:]
    with reverts_with(chain.ownership, "InvalidMetadataCid", bad):
        send(admin, chain.ownership.functions.createProject(903, 1_000, bad))
    assert chain.ownership.functions.project(903).call()[2] is False


@ON_CHAIN
@given(
    st.sampled_from([SAMPLE_V0, SAMPLE_V1]),
    st.integers(min_value=2, max_value=45),
    st.characters(codec="utf-8"),
)
def test_one_character_outside_the_alphabet_makes_any_cid_invalid(
    chain: Chain, admin: LocalAccount, cid: str, position: int, char: str
) -> None:
    alphabet = BASE58BTC if cid.startswith("Qm") else BASE32_LOWER
    changed = cid[:position] + char + cid[position + 1 :]
    assert accepted(chain, admin, changed) == (char in alphabet)
