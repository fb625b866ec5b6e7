"""Decoders against golden logs recorded from anvil (regenerate with `python -m tests.indexer.record_golden`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from eth_abi import encode
from hypothesis import given
from hypothesis import strategies as st

from core.chain.abis import DISTRIBUTOR, OWNERSHIP, PAYMENT_ROUTER, load_abi
from indexer.decode import EVENT_TYPES, DecodeError, decode_log, decode_logs, event_to_dict
from indexer.decode.decoder import topic0_of
from indexer.decode.events import (
    ForcedTransfer,
    Frozen,
    InvestmentMinted,
    ProjectCreated,
    RoleAdminChanged,
    TransferBatch,
    TransferSingle,
)
from indexer.rpc.normalize import raw_log, raw_logs
from indexer.types import RawLog

GOLDEN = Path(__file__).with_name("golden")
GOLDEN_EVENTS = sorted(p.name.removesuffix(".raw.json") for p in GOLDEN.glob("*.raw.json"))
# Declared in the ABI but not emittable by our contracts (OZ 5 setURI emits nothing; no role admin ever changes).
NOT_EMITTABLE = {"URI", "RoleAdminChanged"}

ABI_EVENTS = {
    e["name"]: e for n in (OWNERSHIP, PAYMENT_ROUTER, DISTRIBUTOR) for e in load_abi(n) if e["type"] == "event"
}
CONTRACT = "0x5fbdb2315678afecb367f032d93f642f64180aa3"


def _load(name: str) -> Any:
    return json.loads((GOLDEN / name).read_text())


def _word(value: int | str) -> str:
    if isinstance(value, str):
        return "0x" + value[2:].rjust(64, "0")
    return "0x" + value.to_bytes(32, "big").hex()


def _log(event: str, topics: list[int | str], data: bytes, log_index: int = 0) -> RawLog:
    return RawLog(
        address=CONTRACT,
        topics=(topic0_of(ABI_EVENTS[event]), *(_word(t) for t in topics)),
        data="0x" + data.hex(),
        block_number=7,
        block_hash="0x" + "ab" * 32,
        transaction_hash="0x" + "cd" * 32,
        transaction_index=0,
        log_index=log_index,
    )


def _position(log: RawLog) -> dict[str, Any]:
    return {
        "block_number": log.block_number,
        "block_hash": log.block_hash,
        "transaction_hash": log.transaction_hash,
        "log_index": log.log_index,
        "contract": log.address,
    }


@pytest.mark.parametrize("event", GOLDEN_EVENTS)
def test_golden_logs_decode_to_the_independently_decoded_expectation(event: str) -> None:
    raws = raw_logs(_load(f"{event}.raw.json"))
    expected = _load(f"{event}.expected.json")
    decoded = [d for d in map(decode_log, raws) if d is not None]
    assert [type(d).__name__ for d in decoded] == [event] * len(raws)
    # Where each event sits is the log's own (the store's record keeps it once): checked against web3's reading too.
    assert [{"pos": _position(r), **event_to_dict(d)} for r, d in zip(raws, decoded, strict=True)] == expected


def test_golden_files_cover_every_emittable_event_of_our_contracts() -> None:
    assert set(GOLDEN_EVENTS) == set(ABI_EVENTS) - NOT_EMITTABLE


def test_every_abi_event_has_an_event_type() -> None:
    assert set(EVENT_TYPES) == set(ABI_EVENTS)


def test_pause_events_of_both_contracts_decode_with_one_decoder() -> None:
    logs = raw_logs(_load("Paused.raw.json"))
    assert len({log.address for log in logs}) == 2
    assert all(type(d).__name__ == "Paused" for d in decode_logs(logs))


def test_uri_decodes_from_a_synthetic_log() -> None:
    log = _log("URI", [42], encode(["string"], ["https://terra.example/api/v1/metadata/42"]))
    event = decode_log(log)
    assert event_to_dict(event)["value"] == "https://terra.example/api/v1/metadata/42"  # type: ignore[arg-type]
    assert event.id == 42  # type: ignore[union-attr]


def test_role_admin_changed_decodes_from_a_synthetic_log() -> None:
    role, prev, new = "0x" + "11" * 32, "0x" + "00" * 32, "0x" + "22" * 32
    event = decode_log(_log("RoleAdminChanged", [role, prev, new], b""))
    assert isinstance(event, RoleAdminChanged)
    assert (event.role, event.previous_admin_role, event.new_admin_role) == (role, prev, new)


def test_transfer_batch_with_many_ids_keeps_order() -> None:
    ids, values = list(range(1, 301)), [i * 7 for i in range(1, 301)]
    holder = "0x" + "0" * 24 + "90f79bf6eb2c4f870365e785982e1f101e93b906"
    log = _log("TransferBatch", [holder, 0, holder], encode(["uint256[]", "uint256[]"], [ids, values]))
    event = decode_log(log)
    assert isinstance(event, TransferBatch)
    assert event.ids == tuple(ids) and event.values == tuple(values)
    assert event.from_ == "0x" + "0" * 40


def test_unknown_topic0_and_topicless_logs_are_not_ours() -> None:
    transfer_erc20 = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
    log = _log("Paused", [], encode(["address"], [CONTRACT]))
    assert decode_log(RawLog(**{**_fields(log), "topics": (transfer_erc20,)})) is None
    assert decode_log(RawLog(**{**_fields(log), "topics": ()})) is None
    assert decode_logs([RawLog(**{**_fields(log), "topics": ()}), log]) == [decode_log(log)]


def _fields(log: RawLog) -> dict[str, Any]:
    return {name: getattr(log, name) for name in RawLog.__slots__}  # type: ignore[attr-defined]


def test_wrong_topic_count_is_a_decode_error() -> None:
    log = _log("ProjectExited", [1], b"")
    with pytest.raises(DecodeError, match="expects 3 topics"):
        decode_log(log)


def test_wrong_data_length_is_a_decode_error() -> None:
    log = _log("TransferSingle", [0, 0, 0], encode(["uint256"], [1]))
    with pytest.raises(DecodeError, match="hex chars of data"):
        decode_log(log)


def test_dirty_address_padding_is_a_decode_error() -> None:
    log = _log("Paused", [], b"\x01" + bytes(31))
    with pytest.raises(DecodeError, match="padding"):
        decode_log(log)


def test_bool_other_than_zero_or_one_is_a_decode_error() -> None:
    log = _log("AllowlistUpdated", [0], (2).to_bytes(32, "big"))
    with pytest.raises(DecodeError, match="bool"):
        decode_log(log)


def test_malformed_dynamic_data_is_a_decode_error() -> None:
    log = _log("ProjectCreated", [1], (5).to_bytes(32, "big"))
    with pytest.raises(DecodeError):
        decode_log(log)


uint256 = st.integers(min_value=0, max_value=2**256 - 1)
address = st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
bytes32 = st.binary(min_size=32, max_size=32)


@given(uint256, address, uint256, bytes32, st.integers(min_value=0, max_value=2**31))
def test_investment_minted_round_trips_any_values(
    project: int, investor: str, amount: int, ref: bytes, log_index: int
) -> None:
    log = _log("InvestmentMinted", [project, investor, "0x" + ref.hex()], encode(["uint256"], [amount]), log_index)
    assert decode_log(log) == InvestmentMinted(project, investor, amount, "0x" + ref.hex())


@given(address, uint256, uint256)
def test_frozen_round_trips_any_values(account: str, project: int, amount: int) -> None:
    event = decode_log(_log("Frozen", [account, project], encode(["uint256"], [amount])))
    assert event == Frozen(account, project, amount)


@given(address, address, uint256, uint256)
def test_forced_transfer_round_trips_any_values(frm: str, to: str, project: int, amount: int) -> None:
    event = decode_log(_log("ForcedTransfer", [frm, to, project], encode(["uint256"], [amount])))
    assert event == ForcedTransfer(frm, to, project, amount)


@given(address, address, address, uint256, uint256)
def test_transfer_single_round_trips_any_values(operator: str, frm: str, to: str, token_id: int, value: int) -> None:
    log = _log("TransferSingle", [operator, frm, to], encode(["uint256", "uint256"], [token_id, value]))
    event = decode_log(log)
    assert isinstance(event, TransferSingle)
    assert event == TransferSingle(operator, frm, to, token_id, value)


@given(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=200), uint256)
def test_project_created_round_trips_any_cid_text(cid: str, cap: int) -> None:
    event = decode_log(_log("ProjectCreated", [9], encode(["uint256", "string"], [cap, cid])))
    assert (event.project_id, event.supply_cap, event.metadata_cid) == (9, cap, cid)  # type: ignore[union-attr]
    assert event.metadata_cid_raw is None  # type: ignore[union-attr] # clean text keeps no raw copy


def test_normalize_lowercases_mixed_case_node_output() -> None:
    raw = _load("TransferSingle.raw.json")[0]
    shouted = {**raw, "address": raw["address"].upper().replace("0X", "0x"), "blockHash": raw["blockHash"].upper()}
    assert raw_log(shouted) == raw_log(raw)


@given(st.lists(uint256, max_size=40), st.lists(uint256, max_size=40))
def test_transfer_batch_arrays_match_eth_abi_encoding(ids: list[int], values: list[int]) -> None:
    event = decode_log(_log("TransferBatch", [0, 0, 0], encode(["uint256[]", "uint256[]"], [ids, values])))
    assert (event.ids, event.values) == (tuple(ids), tuple(values))  # type: ignore[union-attr]


def test_dynamic_offset_past_the_data_is_a_decode_error() -> None:
    data = bytearray(encode(["uint256", "string"], [1, "bafy"]))
    data[32:64] = (4096).to_bytes(32, "big")
    with pytest.raises(DecodeError, match="past the data"):
        decode_log(_log("ProjectCreated", [1], bytes(data)))


def test_array_length_past_the_data_is_a_decode_error() -> None:
    data = bytearray(encode(["uint256[]", "uint256[]"], [[1, 2], [3, 4]]))
    data[64:96] = (1000).to_bytes(32, "big")  # first array claims 1000 items
    with pytest.raises(DecodeError, match="runs past"):
        decode_log(_log("TransferBatch", [0, 0, 0], bytes(data)))


@pytest.mark.parametrize(
    ("raw", "text", "kept"),
    [
        (b"\xff\xfe", "\ufffd\ufffd", "0xfffe"),
        (b"bafy\x00x", "bafy\ufffdx", "0x" + b"bafy\x00x".hex()),
        (b"ok\xc3", "ok\ufffd", "0x6f6bc3"),
        (b"", "", None),
    ],
    ids=["invalid-utf8", "nul", "truncated", "empty"],
)
def test_a_string_that_is_not_clean_text_decodes_sanitized_with_its_raw_bytes(
    raw: bytes, text: str, kept: str | None
) -> None:
    data = encode(["uint256", "bytes"], [1, raw])  # same layout as string, any bytes
    event = decode_log(_log("ProjectCreated", [1], data))
    assert isinstance(event, ProjectCreated)
    assert event.metadata_cid == text
    assert event.metadata_cid_raw == kept


@given(st.binary(max_size=80))
def test_any_metadata_bytes_decode_to_text_postgresql_can_hold_and_keep_their_bytes(raw: bytes) -> None:
    event = decode_log(_log("ProjectCreated", [1], encode(["uint256", "bytes"], [1, raw])))
    assert isinstance(event, ProjectCreated)
    assert "\x00" not in event.metadata_cid
    event.metadata_cid.encode("utf-8")  # valid UTF-8, surrogate-free
    kept = raw if event.metadata_cid_raw is None else bytes.fromhex(event.metadata_cid_raw[2:])
    assert kept == raw and (event.metadata_cid_raw is None) == (event.metadata_cid.encode() == raw)
