"""The ape scripts against a real anvil: they reach the deployed contracts and run the shared operator logic."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.chain.paths import REPO_ROOT, SOLCX_DIR
from ipfs.cid import compute_cid
from terra.cli import app
from terra.local.anvil import Anvil

APE = Path(sys.executable).with_name("ape")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> tuple[Anvil, dict[str, str]]:
    data = tmp_path_factory.mktemp("ape-data")
    # demo seed writes the catalogue: into the test session's own database
    env = {**os.environ, "TERRA_DATA_DIR": str(data), "SOLCX_BINARY_PATH": str(SOLCX_DIR), "DATABASE_URL": database_url}
    env.pop("RPC_URL", None)
    node = Anvil().start()
    runner = CliRunner()
    for args in (["contracts", "deploy"], ["demo", "seed"]):
        result = runner.invoke(app, [*args, "--rpc-url", node.url], env=env)
        assert result.exit_code == 0, result.output
    yield node, env  # type: ignore[misc]
    node.stop()


def ape_run(env: dict[str, str], url: str, *args: str) -> str:
    proc = ape_process(env, url, *args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def ape_process(env: dict[str, str], url: str, *args: str) -> subprocess.CompletedProcess[str]:
    # A URL as the provider part of --network makes ape talk JSON-RPC to this test's own anvil.
    return subprocess.run(
        [str(APE), "run", *args, "--network", f"ethereum:local:{url}"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_status_script_reads_the_demo_projects(seeded: tuple[Anvil, dict[str, str]]) -> None:
    node, env = seeded
    out = ape_run(env, node.url, "status")
    assert "project 1: raised $260.00 of $2,500,000.00" in out
    assert "project 3: raised $2,550.00 of $1,200,000.00" in out


def test_create_project_and_mint_scripts_change_the_chain(seeded: tuple[Anvil, dict[str, str]]) -> None:
    node, env = seeded
    assert "project 9 created" in ape_run(env, node.url, "create_project", "9", "50000", compute_cid(b"ape project 9"))
    investor = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"  # a demo investor, allowlisted by the seed
    assert "minted 1234 units of project 9" in ape_run(env, node.url, "mint", "9", investor, "1234", "ape-ref-1")
    assert "project 9: raised $12.34 of $500.00" in ape_run(env, node.url, "status")


def test_a_script_that_hits_a_revert_prints_the_error_by_name_in_one_line(
    seeded: tuple[Anvil, dict[str, str]],
) -> None:
    node, env = seeded
    proc = ape_process(env, node.url, "create_project", "1", "50000", compute_cid(b"a second project 1"))
    assert proc.returncode != 0
    output = (proc.stdout + proc.stderr).strip()
    assert "Traceback" not in output
    assert [line for line in output.splitlines() if "ProjectAlreadyExists" in line] == [
        "Error: ProjectAlreadyExists(1)"
    ]


def test_a_script_given_a_text_that_is_not_a_cid_is_refused_by_name(seeded: tuple[Anvil, dict[str, str]]) -> None:
    node, env = seeded
    proc = ape_process(env, node.url, "create_project", "10", "50000", "not-a-cid")
    assert proc.returncode != 0
    assert 'Error: InvalidMetadataCid("not-a-cid")' in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
