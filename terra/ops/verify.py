"""Prove the deployed code is what the recorded sources compile to, and write what a block explorer needs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from web3 import Web3

from core.chain.compiler import CompiledContract, compile_input, solc_long_version
from core.chain.deployments import Deployment, load_standard_input


@dataclass(frozen=True)
class VerifyResult:
    name: str
    address: str
    ok: bool
    reason: str


def mask_immutables(code: bytes, contract: CompiledContract) -> bytes:
    """Zero the immutable slots: the compiler leaves them empty, the constructor fills them at deploy."""
    out = bytearray(code)
    for refs in contract.immutable_references.values():
        for ref in refs:
            start, length = ref["start"], ref["length"]
            out[start : start + length] = bytes(length)
    return bytes(out)


def compare_code(onchain: bytes, contract: CompiledContract) -> str | None:
    """None when `onchain` is `contract`'s runtime code; otherwise why not."""
    expected = bytes.fromhex(contract.deployed_bytecode.removeprefix("0x"))
    if not onchain:
        return "no code at this address"
    if len(onchain) != len(expected):
        return f"code length differs: on chain {len(onchain)} bytes, rebuilt {len(expected)} bytes"
    if mask_immutables(onchain, contract) != mask_immutables(expected, contract):
        first = next(i for i, (a, b) in enumerate(zip(onchain, expected, strict=False)) if a != b)
        return f"code differs from byte {first}"
    return None


def verify(w3: Web3, deployment: Deployment, directory: Path, out_dir: Path) -> list[VerifyResult]:
    standard_input = load_standard_input(directory, deployment)
    build = compile_input(standard_input)
    out_dir.mkdir(parents=True, exist_ok=True)
    compiler = solc_long_version()
    results = []
    for name, deployed in deployment.contracts.items():
        contract = build.contracts[name]
        reason = compare_code(bytes(w3.eth.get_code(Web3.to_checksum_address(deployed.address))), contract)
        results.append(VerifyResult(name, deployed.address, reason is None, reason or "matches"))
        (out_dir / f"{name}.standard-input.json").write_text(json.dumps(standard_input, indent=1, sort_keys=True))
        (out_dir / f"{name}.constructor-args.txt").write_text(deployed.constructor_args + "\n")
        (out_dir / f"{name}.json").write_text(
            json.dumps(
                {
                    "address": deployed.address,
                    "contract_name": f"{contract.source_path}:{name}",
                    "compiler_version": f"v{compiler}",
                    "constructor_args": deployed.constructor_args,
                    "standard_input": f"{name}.standard-input.json",
                },
                indent=2,
            )
            + "\n"
        )
    return results
