"""An RPC URL's API key never reaches the terminal: the real `terra` commands, run as a user runs them, against an
endpoint that is down, one that fails every call, and one that fails only later calls, echoing the URL back."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from core.chain.transactions import transact
from indexer.service import run_forever
from ipfs.cid import compute_cid
from terra.local.anvil import Anvil, free_port
from tests.conftest import Chain
from tests.indexer.mirror_support import indexer_settings
from tests.terra.leaky_rpc import LeakyRpc

KEY = "SECRETKEY123"


def terra(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "terra.cli", *args], env=env, capture_output=True, text=True, timeout=300
    )


def assert_no_key(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode != 0, result.stdout
    assert KEY not in result.stdout and KEY not in result.stderr, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert "127.0.0.1" in result.stderr  # the endpoint is still named, by scheme, host and port


@pytest.fixture
def base_env(tmp_path: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("RPC_URL", "RPC_URLS", "CHAIN_ID", "DEPLOYMENTS_DIR")}
    return env | {"TERRA_DATA_DIR": str(tmp_path), "DATABASE_URL": database_url}


COMMANDS = [
    ["contracts", "deploy"],
    ["indexer", "status"],
    ["indexer", "verify"],
    ["indexer", "run", "--until-head"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_an_unreachable_endpoint_is_named_without_its_key(args: list[str], base_env: dict[str, str]) -> None:
    url = f"http://127.0.0.1:{free_port()}/v3/{KEY}"
    assert_no_key(terra(args, base_env | {"RPC_URL": url}))


@pytest.fixture(scope="module")
def leaky_everything() -> Iterator[LeakyRpc]:
    with Anvil() as node, LeakyRpc(node.url, fail={"*": 401}) as rpc:
        yield rpc


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_an_endpoint_answering_http_errors_that_echo_the_url_is_named_without_its_key(
    args: list[str], base_env: dict[str, str], leaky_everything: LeakyRpc
) -> None:
    assert_no_key(terra(args, base_env | {"RPC_URLS": leaky_everything.url_with_key(KEY)}))


def test_deploy_failing_at_its_first_transaction_never_shows_the_key(base_env: dict[str, str]) -> None:
    with Anvil() as node, LeakyRpc(node.url, fail={"eth_sendRawTransaction": 500}) as rpc:
        result = terra(["contracts", "deploy", "--rpc-url", rpc.url_with_key(KEY)], base_env)
        assert rpc.failed > 0  # the chain answered until the first transaction: the failure came late
    assert_no_key(result)


def test_indexer_verify_failing_after_the_mirror_is_read_never_shows_the_key(
    chain: Chain, admin, anvil: Anvil, clean_db: Engine, database_url: str, test_settings, base_env: dict[str, str]
) -> None:
    transact(chain.w3, admin, chain.ownership.functions.createProject(1, 1_000_000, compute_cid(b"secrets-1")))
    settings = indexer_settings(database_url, anvil.url, test_settings.deployments_path)
    run_forever(settings, threading.Event(), until_head=True, use_websocket=False, engine=clean_db)
    env = base_env | {"DEPLOYMENTS_DIR": str(test_settings.deployments_path)}
    with LeakyRpc(anvil.url, fail={"eth_call": 500}) as rpc:
        result = terra(["indexer", "verify", "--rpc-url", rpc.url_with_key(KEY)], env)
        assert rpc.failed > 0  # chain id, deployment and mirror were read: the balance calls failed
    assert_no_key(result)
