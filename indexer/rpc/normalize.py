"""JSON-RPC answers (hex strings) -> the indexer's boundary types (RawLog, BlockHeader). Pure."""

from __future__ import annotations

from typing import Any

from indexer.types import BlockHeader, RawLog


def raw_log(obj: dict[str, Any]) -> RawLog:
    """One `eth_getLogs` entry; hex lowercased, quantities as int. Raises KeyError/ValueError on a pending log."""
    # Positional and list-built tuple: this runs once per log of a backfill, keyword calls cost ~30% more.
    return RawLog(
        obj["address"].lower(),
        tuple([t.lower() for t in obj["topics"]]),
        obj["data"].lower(),
        int(obj["blockNumber"], 16),
        obj["blockHash"].lower(),
        obj["transactionHash"].lower(),
        int(obj["transactionIndex"], 16),
        int(obj["logIndex"], 16),
        obj.get("removed") is True,
    )


def raw_logs(items: list[dict[str, Any]]) -> list[RawLog]:
    return [raw_log(o) for o in items]


def block_header(obj: dict[str, Any]) -> BlockHeader:
    """An `eth_getBlockBy*` answer (without transactions) -> BlockHeader."""
    bloom = obj.get("logsBloom") or "0x"
    return BlockHeader(
        number=int(obj["number"], 16),
        hash=obj["hash"].lower(),
        parent_hash=obj["parentHash"].lower(),
        timestamp=int(obj["timestamp"], 16),
        logs_bloom=bytes.fromhex(bloom[2:]),
    )
