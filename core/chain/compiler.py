"""Offline Solidity compilation through the project's own `solc` (npm compiler behind a native-style CLI).

The standard-JSON input is made self-contained (every source's content inlined, OpenZeppelin included) so the
exact bytes given to the compiler can be recorded at deploy and handed to a block explorer for verification.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import solcx

from core.chain.paths import CONTRACTS_DIR, NODE_MODULES, REPO_ROOT, SOLC_SHIM, SOLCX_DIR

SOLC_VERSION = "0.8.28"
EVM_VERSION = "cancun"  # Polygon PoS runs Cancun since the Napoli upgrade.
OPTIMIZER_RUNS = 200
CONTRACT_NAMES = ("TerraLuminaOwnership", "PaymentRouter", "TestStablecoin")


class CompilerError(RuntimeError):
    """The Solidity sources did not compile; the message holds solc's errors."""


@dataclass(frozen=True)
class CompiledContract:
    name: str
    source_path: str
    abi: list[dict[str, Any]]
    bytecode: str  # creation code, 0x-prefixed
    deployed_bytecode: str  # runtime code, 0x-prefixed
    immutable_references: dict[str, list[dict[str, int]]]


@dataclass(frozen=True)
class Build:
    standard_input: dict[str, Any]
    contracts: dict[str, CompiledContract]
    solc_version: str

    @property
    def input_sha256(self) -> str:
        return hashlib.sha256(canonical_json(self.standard_input)).hexdigest()


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def solc_long_version() -> str:
    """e.g. `0.8.28+commit.7893614a`, as block explorers name compiler releases."""
    import subprocess

    out = subprocess.run([str(SOLC_SHIM), "--version"], capture_output=True, text=True, check=True).stdout
    version = out.strip().splitlines()[-1].removeprefix("Version: ")
    return version.removesuffix(".Linux.g++")


def ensure_solcx_registration() -> Path:
    """Expose the shim as `solc-v0.8.28` in `.solcx/` and point py-solc-x there, so nothing is ever downloaded."""
    SOLCX_DIR.mkdir(exist_ok=True)
    link = SOLCX_DIR / f"solc-v{SOLC_VERSION}"
    if not link.exists():
        link.symlink_to(SOLC_SHIM)
    os.environ.setdefault("SOLCX_BINARY_PATH", str(SOLCX_DIR))
    return link


def _settings() -> dict[str, Any]:
    return {
        "optimizer": {"enabled": True, "runs": OPTIMIZER_RUNS},
        "evmVersion": EVM_VERSION,
        "metadata": {"bytecodeHash": "ipfs"},
        "outputSelection": {
            "*": {
                "*": [
                    "abi",
                    "evm.bytecode.object",
                    "evm.deployedBytecode.object",
                    "evm.deployedBytecode.immutableReferences",
                ]
            }
        },
    }


def _project_sources(contracts_dir: Path) -> dict[str, dict[str, str]]:
    return {f"contracts/{p.name}": {"content": p.read_text()} for p in sorted(contracts_dir.glob("*.sol"))}


def _run_solc(standard_input: dict[str, Any]) -> dict[str, Any]:
    binary = ensure_solcx_registration()
    try:
        output = solcx.compile_standard(
            standard_input,
            base_path=str(REPO_ROOT),
            allow_paths=[str(REPO_ROOT), str(NODE_MODULES)],
            solc_binary=binary,
        )
    except solcx.exceptions.SolcError as exc:
        raise CompilerError(str(exc)) from exc
    errors = [e for e in output.get("errors", []) if e.get("severity") == "error"]
    if errors:
        raise CompilerError("\n".join(e.get("formattedMessage", e.get("message", "")) for e in errors))
    return output


def self_contained_input(contracts_dir: Path = CONTRACTS_DIR) -> dict[str, Any]:
    """The standard-JSON input with every imported file's content inlined (two passes: discover, then inline)."""
    discovery = {"language": "Solidity", "sources": _project_sources(contracts_dir), "settings": _settings()}
    discovery["settings"] = {**_settings(), "outputSelection": {"*": {"": ["ast"]}}}
    output = _run_solc(discovery)
    sources: dict[str, dict[str, str]] = {}
    for name in sorted(output["sources"]):
        local = REPO_ROOT / name
        path = local if local.exists() else NODE_MODULES / name
        sources[name] = {"content": path.read_text()}
    return {"language": "Solidity", "sources": sources, "settings": _settings()}


def compile_input(standard_input: dict[str, Any]) -> Build:
    output = _run_solc(standard_input)
    contracts: dict[str, CompiledContract] = {}
    for source_path, units in output["contracts"].items():
        if not source_path.startswith("contracts/"):
            continue
        for name, unit in units.items():
            evm = unit["evm"]
            contracts[name] = CompiledContract(
                name=name,
                source_path=source_path,
                abi=unit["abi"],
                bytecode="0x" + evm["bytecode"]["object"],
                deployed_bytecode="0x" + evm["deployedBytecode"]["object"],
                immutable_references=evm["deployedBytecode"].get("immutableReferences", {}),
            )
    return Build(standard_input=standard_input, contracts=contracts, solc_version=SOLC_VERSION)


BUILD_CACHE_DIR = REPO_ROOT / ".build" / "terra"  # beside ape's own .build/ files


def _sources_key(contracts_dir: Path) -> str:
    """Changes whenever a contract, the pinned npm packages or the compiler front change."""
    digest = hashlib.sha256()
    for path in [*sorted(contracts_dir.glob("*.sol")), REPO_ROOT / "package-lock.json", SOLC_SHIM]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:32]


def compile_project(contracts_dir: Path = CONTRACTS_DIR) -> Build:
    """Compile (a few seconds), or reuse the build cached for exactly these sources."""
    cache = BUILD_CACHE_DIR / f"build-{_sources_key(contracts_dir)}.json"
    if cache.exists():
        data = json.loads(cache.read_text())
        contracts = {name: CompiledContract(**c) for name, c in data["contracts"].items()}
        return Build(data["standard_input"], contracts, data["solc_version"])
    build = compile_input(self_contained_input(contracts_dir))
    BUILD_CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(f".{os.getpid()}.tmp")  # concurrent compiles must not share a temp file
    payload = {
        "standard_input": build.standard_input,
        "solc_version": build.solc_version,
        "contracts": {name: asdict(c) for name, c in build.contracts.items()},
    }
    tmp.write_text(json.dumps(payload))
    tmp.replace(cache)
    return build
