"""Fake tokens (Solidity, tests only): compiled beside the project's sources, never deployed outside tests."""

from __future__ import annotations

from pathlib import Path

from core.chain.compiler import Build, compile_input, self_contained_input

SOURCE = Path(__file__).with_name("FakeTokens.sol")


def compile_fakes() -> Build:
    """The project's self-contained input (OpenZeppelin's ERC20 is in it) plus the fakes, under a `contracts/`
    name because the build keeps only sources there."""
    standard_input = self_contained_input()
    standard_input["sources"]["contracts/fakes/FakeTokens.sol"] = {"content": SOURCE.read_text()}
    return compile_input(standard_input)
