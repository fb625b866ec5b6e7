"""Shared fixtures on real services: a PostgreSQL database and an anvil chain with the contracts deployed.

PostgreSQL: the server at DATABASE_URL when set (CI: the machine's 127.0.0.1:5432), an embedded one otherwise;
each test session gets a database of its own, dropped at the end. anvil: one process per session on a free
loopback port, with `evm_snapshot`/`evm_revert` around every test that uses `chain`.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from eth_account.signers.local import LocalAccount
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from web3 import Web3
from web3.contract import Contract

from core.chain.abis import OWNERSHIP, PAYMENT_ROUTER, STABLECOIN
from core.chain.accounts import LOCAL_DEPLOYER, LOCAL_RELAYER, LOCAL_TREASURY, anvil_account
from core.chain.compiler import Build, compile_project
from core.chain.connection import connect
from core.chain.deployments import Deployment
from core.db.embedded import start_embedded
from core.db.engine import make_engine, sqlalchemy_url
from core.db.migrate import upgrade
from core.settings import load_settings
from terra.local.anvil import Anvil
from terra.ops.deploy import DeployPlan, deploy
from terra.ops.settings import OperatorSettings

# ----- PostgreSQL --------------------------------------------------------------------------------


def _server_url() -> str:
    if os.environ.get("DATABASE_URL"):
        return sqlalchemy_url(os.environ["DATABASE_URL"])
    data_dir = Path(tempfile.mkdtemp(prefix="terra-test-pg-"))
    return sqlalchemy_url(start_embedded(data_dir))


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A fresh, migrated database of this test session's own."""
    server = make_url(_server_url())
    name = f"terra_test_{uuid.uuid4().hex[:12]}"
    admin = _libpq(server.set(database="postgres").render_as_string(hide_password=False))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = server.set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def clean_db(engine: Engine) -> Iterator[Engine]:
    """The session database with every table emptied before the test (migrations kept)."""
    with engine.begin() as conn:
        tables = (
            conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")
            )
            .scalars()
            .all()
        )
        if tables:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    yield engine


# ----- chain -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def build() -> Build:
    return compile_project()


@pytest.fixture(scope="session")
def anvil() -> Iterator[Anvil]:
    with Anvil() as node:
        yield node


@pytest.fixture(scope="session")
def w3(anvil: Anvil) -> Web3:
    return connect(anvil.url)


@pytest.fixture(scope="session")
def admin() -> LocalAccount:
    return anvil_account(LOCAL_DEPLOYER)


@pytest.fixture(scope="session")
def minter() -> LocalAccount:
    return anvil_account(LOCAL_RELAYER)


@pytest.fixture(scope="session")
def treasury() -> LocalAccount:
    return anvil_account(LOCAL_TREASURY)


@pytest.fixture(scope="session")
def investors() -> list[LocalAccount]:
    return [anvil_account(i) for i in range(3, 10)]


@pytest.fixture(scope="session")
def settings_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="terra-test-data-"))


@pytest.fixture(scope="session")
def test_settings(settings_dir: Path, anvil: Anvil) -> OperatorSettings:
    return load_settings(OperatorSettings, terra_data_dir=settings_dir, rpc_url=anvil.url)


@pytest.fixture(scope="session")
def deployment(
    w3: Web3,
    build: Build,
    admin: LocalAccount,
    minter: LocalAccount,
    treasury: LocalAccount,
    test_settings: OperatorSettings,
) -> Deployment:
    plan = DeployPlan(admin, minter.address, treasury.address, "https://terra.example/api/v1/metadata/{id}")
    return deploy(w3, build, plan, test_settings.deployments_path, report=lambda _m: None)


@dataclass
class Chain:
    """The deployed contracts at a snapshot taken before the test; reverted after it."""

    w3: Web3
    deployment: Deployment
    ownership: Contract
    router: Contract
    stablecoin: Contract


@pytest.fixture
def chain(w3: Web3, deployment: Deployment, build: Build) -> Iterator[Chain]:
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[attr-defined]
    contracts = {
        name: w3.eth.contract(address=Web3.to_checksum_address(deployment.address(name)), abi=build.contracts[name].abi)
        for name in (OWNERSHIP, PAYMENT_ROUTER, STABLECOIN)
    }
    yield Chain(w3, deployment, contracts[OWNERSHIP], contracts[PAYMENT_ROUTER], contracts[STABLECOIN])
    w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[attr-defined]
