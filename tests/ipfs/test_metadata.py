"""Project metadata: validation, canonical bytes (same metadata, same CID), ERC-1155 JSON, pinning."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ipfs.cid import compute_cid
from ipfs.local_store import LocalStore
from ipfs.metadata import (
    ProjectMetadata,
    canonical_bytes,
    erc1155_metadata,
    load_metadata,
    metadata_cid,
    parse_metadata,
    pin_metadata,
)


def seed_project(**changes: Any) -> dict[str, Any]:
    """The seed's IPFS metadata example, with the on-chain fields added."""
    project: dict[str, Any] = {
        "token_id": 1,
        "supply_cap_cents": 250_000_000,
        "project_id": "550e8400-e29b-41d4-a716-446655440000",
        "name": "Sunrise Solar Farm - Nevada",
        "description": "50 MW solar installation in Nevada desert",
        "technology": "solar",
        "capacity_mw": "50",
        "location": {"country": "US", "region": "Nevada", "city": "Pahrump"},
        "documents": [
            {
                "type": "prospectus",
                "ipfs_hash": "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH",
                "uploaded_at": "2025-01-15T10:00:00Z",
            }
        ],
        "technical_specs": {
            "panel_type": "Bifacial monocrystalline",
            "inverter": "String inverters with optimizers",
            "tracking": "Single-axis horizontal",
            "expected_degradation": "0.5% annually",
        },
        "verification": {
            "third_party_auditor": "DNV GL Energy",
            "audit_date": "2025-01-10",
            "certification": "ISO 14001",
        },
    }
    project.update(changes)
    return project


def meta(**changes: Any) -> ProjectMetadata:
    return ProjectMetadata.model_validate(seed_project(**changes))


def test_canonical_bytes_are_sorted_compact_utf8_json() -> None:
    data = canonical_bytes(meta(name="Énergie solaire – Nevada"))
    text = data.decode("utf-8")

    assert json.loads(text) == json.loads(json.dumps(json.loads(text), sort_keys=True))
    assert list(json.loads(text)) == sorted(json.loads(text))
    assert ", " not in text and ": " not in text and "\n" not in text
    assert "Énergie solaire – Nevada" in text  # UTF-8, not \u escapes


def test_seed_document_hash_is_accepted_and_written_as_a_cidv1() -> None:
    document = json.loads(canonical_bytes(meta()))["documents"][0]

    assert document == {
        "type": "prospectus",
        "cid": "bafybeif7ztnhq65lumvvtr4ekcwd2ifwgm3awq4zfr3srh462rwyinlb4y",
        "uploaded_at": "2025-01-15T10:00:00Z",
    }


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ({"capacity_mw": "50"}, {"capacity_mw": "50.00"}),
        ({"capacity_mw": "50"}, {"capacity_mw": 50}),
        ({"capacity_mw": "0.5"}, {"capacity_mw": "5E-1"}),
        (
            {
                "documents": [
                    {
                        "type": "p",
                        "cid": "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH",
                        "uploaded_at": "2025-01-15T12:00:00+02:00",
                    }
                ]
            },
            {
                "documents": [
                    {
                        "type": "p",
                        "cid": "bafybeif7ztnhq65lumvvtr4ekcwd2ifwgm3awq4zfr3srh462rwyinlb4y",
                        "uploaded_at": "2025-01-15T10:00:00Z",
                    }
                ]
            },
        ),
        ({"verification": None}, {}),
    ],
    ids=["trailing-zeros", "int", "exponent", "cid-version-and-timezone", "explicit-none"],
)
def test_equal_metadata_spelled_differently_has_one_cid(left: dict[str, Any], right: dict[str, Any]) -> None:
    base = seed_project()
    base.pop("verification")

    assert metadata_cid(ProjectMetadata.model_validate({**base, **left})) == metadata_cid(
        ProjectMetadata.model_validate({**base, **right})
    )


specs = st.dictionaries(
    st.text(min_size=1, max_size=12),
    st.one_of(st.text(max_size=20), st.integers(-(10**12), 10**12), st.booleans()),
    max_size=6,
)


@settings(max_examples=60)
@given(
    specs=specs,
    name=st.text(min_size=1, max_size=60),
    capacity=st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False),
    token_id=st.integers(0, 2**256 - 1),
)
def test_canonical_bytes_are_stable_through_a_round_trip(
    specs: dict[str, Any], name: str, capacity: Decimal, token_id: int
) -> None:
    original = meta(technical_specs=specs, name=name, capacity_mw=capacity, token_id=token_id)
    shuffled = ProjectMetadata.model_validate(dict(reversed(list(original.model_dump().items()))))

    data = canonical_bytes(original)

    assert parse_metadata(data) == original
    assert canonical_bytes(parse_metadata(data)) == data
    assert canonical_bytes(shuffled) == data
    assert metadata_cid(original) == compute_cid(data)


@pytest.mark.parametrize(
    "change",
    [
        {"technology": "coal"},
        {"technical_specs": {"efficiency": 0.21}},  # floats have no single spelling
        {"capacity_mw": "NaN"},
        {"capacity_mw": "-1"},
        {"location": {"country": "usa"}},
        {"documents": [{"type": "p", "cid": "not-a-cid", "uploaded_at": "2025-01-15T10:00:00Z"}]},
        {
            "documents": [
                {
                    "type": "p",
                    "cid": "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH",
                    "uploaded_at": "2025-01-15T10:00:00",
                }
            ]
        },
        {"token_id": -1},
        {"supply_cap_cents": 0},
        {"unexpected": "field"},
    ],
    ids=["technology", "float-spec", "nan", "negative", "country", "bad-cid", "naive-time", "token-id", "cap", "extra"],
)
def test_invalid_metadata_is_refused(change: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        meta(**change)


def test_erc1155_metadata_has_name_description_image_and_properties() -> None:
    result = erc1155_metadata(meta(), "https://terra.example/img/1.png")

    assert result["name"] == "Sunrise Solar Farm - Nevada"
    assert result["description"] == "50 MW solar installation in Nevada desert"
    assert result["image"] == "https://terra.example/img/1.png"
    assert result["decimals"] == 2
    properties = result["properties"]
    assert properties["token_id"] == 1
    assert properties["supply_cap_cents"] == 250_000_000
    assert properties["technology"] == "solar"
    assert properties["capacity_mw"] == "50"
    assert properties["location"]["country"] == "US"
    assert properties["documents"][0]["uri"] == "ipfs://bafybeif7ztnhq65lumvvtr4ekcwd2ifwgm3awq4zfr3srh462rwyinlb4y"
    assert properties["verification"]["audit_date"] == "2025-01-10"
    json.dumps(result)  # plain JSON types only


def test_erc1155_metadata_without_image_leaves_it_out() -> None:
    assert "image" not in erc1155_metadata(meta(), None)


def test_pin_metadata_stores_and_pins_the_canonical_document(local_store: LocalStore) -> None:
    document = meta()

    cid = pin_metadata(local_store, document)

    assert cid == metadata_cid(document)
    assert local_store.is_pinned(cid)
    assert local_store.get(cid) == canonical_bytes(document)
    assert load_metadata(local_store, cid) == document


def test_demo_projects_validate(local_store: LocalStore) -> None:
    demo = Path(__file__).parents[2] / "terra" / "ops" / "demo_projects.json"
    if not demo.exists():
        pytest.skip("no demo projects file")
    for project in json.loads(demo.read_text()):
        assert pin_metadata(local_store, ProjectMetadata.model_validate(project)).startswith("bafkrei")
