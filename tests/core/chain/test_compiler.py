"""The offline compiler: native-style `--version`, self-contained input, committed ABIs equal to a fresh build."""

from __future__ import annotations

import subprocess

from core.chain.abis import load_abi
from core.chain.compiler import Build, compile_input, solc_long_version
from core.chain.paths import SOLC_SHIM


def test_shim_answers_version_like_native_solc() -> None:
    out = subprocess.run([str(SOLC_SHIM), "--version"], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("Version: 0.8.28+commit.7893614a.Linux.g++")
    assert solc_long_version() == "0.8.28+commit.7893614a"


def test_standard_input_is_self_contained_and_reproducible(build: Build) -> None:
    sources = build.standard_input["sources"]
    assert "@openzeppelin/contracts/token/ERC1155/ERC1155.sol" in sources
    assert all("content" in s for s in sources.values())
    again = compile_input(build.standard_input)
    for name, contract in build.contracts.items():
        assert again.contracts[name].deployed_bytecode == contract.deployed_bytecode


def test_committed_abis_match_a_fresh_build(build: Build) -> None:
    for name in ("TerraLuminaOwnership", "PaymentRouter", "TestStablecoin", "Distributor"):
        assert load_abi(name) == build.contracts[name].abi, f"run `terra contracts compile` to refresh {name}"
