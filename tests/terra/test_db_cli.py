"""`terra db shell`: the exact psql command for the database the services use, and psql run with it."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from core.db.embedded import start_embedded


def terra(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "terra.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def embedded_env(tmp_path: Path) -> dict[str, str]:
    """No DATABASE_URL: the embedded server under the data dir, kept running by this test process meanwhile."""
    start_embedded(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return env | {"TERRA_DATA_DIR": str(tmp_path)}


def test_db_shell_prints_a_psql_command_that_connects_to_the_embedded_server(embedded_env: dict[str, str]) -> None:
    result = terra(["db", "shell", "--print"], embedded_env)
    assert result.returncode == 0, result.stderr
    command = result.stdout.strip()
    assert "\n" not in command and "psql" in command
    answer = subprocess.run(
        [*shlex.split(command), "-At", "-c", "select current_database()"], capture_output=True, text=True, timeout=60
    )
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.strip() == "terra"


def test_db_shell_prints_the_command_then_runs_psql_with_the_arguments_given(embedded_env: dict[str, str]) -> None:
    result = terra(["db", "shell", "--", "-At", "-c", "select 40 + 2"], embedded_env)
    assert result.returncode == 0, result.stderr
    first, *rest = result.stdout.strip().splitlines()
    assert "psql" in first and rest == ["42"]


def test_db_shell_with_database_url_hides_the_password_but_connects(database_url: str) -> None:
    url = make_url(database_url).set(drivername="postgresql", password="hunter2")  # trust auth here: ignored
    env = os.environ | {"DATABASE_URL": url.render_as_string(hide_password=False)}
    printed = terra(["db", "shell", "--print"], env)
    assert printed.returncode == 0, printed.stderr
    assert "hunter2" not in printed.stdout + printed.stderr and "psql" in printed.stdout
    ran = terra(["db", "shell", "--", "-At", "-c", "select 1"], env)
    assert ran.returncode == 0, ran.stderr
    assert "hunter2" not in ran.stdout + ran.stderr and ran.stdout.strip().splitlines()[-1] == "1"
