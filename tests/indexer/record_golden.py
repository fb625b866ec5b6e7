"""Regenerate the decoder golden files: `.venv/bin/python -m tests.indexer.record_golden`.

Starts a private anvil, deploys the contracts, runs the every-event scenario, then writes per event name
`golden/<Event>.raw.json` (the node's eth_getLogs entries, untouched) and `golden/<Event>.expected.json` (decoded
independently of our decoder, by web3.py's get_event_data, converted to our conventions).
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
from hexbytes import HexBytes
from web3 import Web3
from web3._utils.events import get_event_data

from core.chain.abis import DISTRIBUTOR, OWNERSHIP, PAYMENT_ROUTER, STABLECOIN, load_abi
from core.chain.accounts import LOCAL_DEPLOYER, LOCAL_RELAYER, LOCAL_TREASURY, anvil_account
from core.chain.compiler import compile_project
from core.chain.connection import connect
from terra.local.anvil import Anvil
from terra.ops.deploy import DeployPlan, deploy
from tests.indexer.scenario import Contracts, emit_every_event

GOLDEN_DIR = Path(__file__).with_name("golden")


def _topic0(event_abi: dict[str, Any]) -> str:
    """Computed here with web3, independently of the decoder's table."""
    signature = f"{event_abi['name']}({','.join(i['type'] for i in event_abi['inputs'])})"
    return "0x" + Web3.keccak(text=signature).hex().removeprefix("0x")


def snake(name: str) -> str:
    return "from_" if name == "from" else re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _plain(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, str) and value.startswith("0x"):
        return value.lower()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def expected_by_web3(w3: Web3, raw: dict[str, Any], abi_by_topic: dict[str, dict[str, Any]]) -> dict[str, Any]:
    event_abi = abi_by_topic[raw["topics"][0].lower()]
    receipt_log = {
        "address": Web3.to_checksum_address(raw["address"]),
        "topics": [HexBytes(t) for t in raw["topics"]],
        "data": HexBytes(raw["data"]),
        "blockNumber": int(raw["blockNumber"], 16),
        "blockHash": HexBytes(raw["blockHash"]),
        "transactionHash": HexBytes(raw["transactionHash"]),
        "transactionIndex": int(raw["transactionIndex"], 16),
        "logIndex": int(raw["logIndex"], 16),
    }
    data = get_event_data(w3.codec, event_abi, receipt_log)  # type: ignore[arg-type]
    out: dict[str, Any] = {
        "event": data["event"],
        "pos": {
            "block_number": data["blockNumber"],
            "block_hash": raw["blockHash"].lower(),
            "transaction_hash": raw["transactionHash"].lower(),
            "log_index": data["logIndex"],
            "contract": raw["address"].lower(),
        },
    }
    for arg in event_abi["inputs"]:
        out[snake(arg["name"])] = _plain(data["args"][arg["name"]])
    return out


def record(directory: Path = GOLDEN_DIR) -> dict[str, int]:
    with Anvil() as node:
        w3 = connect(node.url)
        admin, minter, treasury = (anvil_account(i) for i in (LOCAL_DEPLOYER, LOCAL_RELAYER, LOCAL_TREASURY))
        investors = [anvil_account(i) for i in range(3, 10)]
        plan = DeployPlan(admin, minter.address, treasury.address, "https://terra.example/api/v1/metadata/{id}")
        out_dir = Path(tempfile.mkdtemp(prefix="terra-golden-"))
        dep = deploy(w3, compile_project(), plan, out_dir, report=lambda _m: None)
        contracts = Contracts(
            *(
                w3.eth.contract(address=Web3.to_checksum_address(dep.address(n)), abi=load_abi(n))
                for n in (OWNERSHIP, PAYMENT_ROUTER, STABLECOIN, DISTRIBUTOR)
            )
        )
        emit_every_event(w3, contracts, admin, minter, investors, treasury.address)
        addresses = [dep.address(OWNERSHIP), dep.address(PAYMENT_ROUTER), dep.address(DISTRIBUTOR)]
        body = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "eth_getLogs",
            "params": [{"fromBlock": "0x0", "toBlock": "latest", "address": addresses}],
        }
        raw_logs = httpx.post(node.url, json=body, timeout=30).json()["result"]

        abi_by_topic = {
            _topic0(e): e
            for name in (OWNERSHIP, PAYMENT_ROUTER, DISTRIBUTOR)
            for e in load_abi(name)
            if e["type"] == "event"
        }
        raw_by_event: dict[str, list[dict[str, Any]]] = defaultdict(list)
        expected_by_event: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for raw in raw_logs:
            expected = expected_by_web3(w3, raw, abi_by_topic)
            raw_by_event[expected["event"]].append(raw)
            expected_by_event[expected["event"]].append(expected)

    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.json"):
        old.unlink()
    for event, raws in sorted(raw_by_event.items()):
        (directory / f"{event}.raw.json").write_text(json.dumps(raws, indent=2) + "\n")
        (directory / f"{event}.expected.json").write_text(json.dumps(expected_by_event[event], indent=2) + "\n")
    return {event: len(raws) for event, raws in sorted(raw_by_event.items())}


def main() -> None:
    for event, count in record().items():
        print(f"{event:20} {count}")


if __name__ == "__main__":
    main()
