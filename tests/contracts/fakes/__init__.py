"""Fake tokens and receivers (Solidity, tests only): compiled beside the project's sources, never deployed outside
tests."""

from __future__ import annotations

from pathlib import Path

from core.chain.compiler import Build, compile_input, self_contained_input

SOURCES = sorted(Path(__file__).parent.glob("*.sol"))


def compile_fakes() -> Build:
    """The project's self-contained input (OpenZeppelin's ERC20 and ERC-1155 interfaces are in it) plus the fakes,
    under a `contracts/` name because the build keeps only sources there."""
    standard_input = self_contained_input()
    for source in SOURCES:
        standard_input["sources"][f"contracts/fakes/{source.name}"] = {"content": source.read_text()}
    return compile_input(standard_input)
