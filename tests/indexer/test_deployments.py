"""The mirror knows what it follows: the deployment it was built from is recorded in `chain_deployments` on an empty
mirror, and a new deployment on the same chain halts the indexer, `status` and `verify` with the fix in one line."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from core.chain.compiler import Build
from core.chain.deployments import Deployment
from indexer.errors import DeploymentChanged
from indexer.settings import IndexerSettings
from terra.cli import app
from terra.ops.deploy import DeployPlan, deploy
from tests.indexer.mirror_support import (
    Activity,
    PrivateChain,
    start_private_chain,
    sync_until_head,
)

runner = CliRunner()


@pytest.fixture
def private_chain(build: Build) -> Iterator[PrivateChain]:
    chain = start_private_chain(build)
    Activity(chain, "deployments").setup()
    try:
        yield chain
    finally:
        chain.anvil.stop()


@pytest.fixture
def cli_env(settings: IndexerSettings, private_chain: PrivateChain, monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings.database_url is not None
    for name, value in (
        ("DATABASE_URL", settings.database_url.get_secret_value()),
        ("RPC_URL", private_chain.url),
        ("DEPLOYMENTS_DIR", str(private_chain.deployments_dir)),
        ("TERRA_DATA_DIR", str(settings.data_dir)),
    ):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("RPC_URLS", raising=False)


def recorded(engine: Engine, chain_id: int) -> set[tuple[str, str, int, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT contract_name, address, deploy_block, tx_hash FROM chain_deployments WHERE chain_id = :c"),
            {"c": chain_id},
        )
        return {(n, a.lower(), b, h) for n, a, b, h in rows}


def expected(deployment: Deployment) -> set[tuple[str, str, int, str]]:
    return {(n, c.address.lower(), c.block_number, c.tx_hash) for n, c in deployment.contracts.items()}


def redeploy(chain: PrivateChain, build: Build) -> Deployment:
    """What `terra contracts deploy` (or the README's `ape run deploy`) does again: new contracts, file rewritten."""
    plan = DeployPlan(chain.admin, chain.minter.address, chain.treasury.address, "https://terra.example/{id}")
    return deploy(chain.w3, build, plan, chain.deployments_dir, report=lambda _m: None)


def test_the_indexer_records_the_deployment_it_starts_an_empty_mirror_from(
    private_chain: PrivateChain, settings: IndexerSettings, clean_db: Engine
) -> None:
    sync_until_head(settings, clean_db)
    assert recorded(clean_db, 31337) == expected(private_chain.deployment)


def test_a_new_deployment_on_the_same_chain_halts_the_indexer_naming_the_fix(
    private_chain: PrivateChain, settings: IndexerSettings, clean_db: Engine, build: Build
) -> None:
    before = sync_until_head(settings, clean_db)
    new = redeploy(private_chain, build)
    with pytest.raises(DeploymentChanged) as info:
        sync_until_head(settings, clean_db)
    message = str(info.value)
    assert "\n" not in message
    assert f"terra indexer reindex --from-block {new.deploy_block}" in message and "DEPLOYMENTS_DIR" in message
    assert recorded(clean_db, 31337) == expected(private_chain.deployment)  # nothing of the new one mixed in
    with clean_db.connect() as conn:
        indexed = conn.execute(text("SELECT block_number FROM chain_checkpoints WHERE chain_id = 31337")).scalar()
    assert indexed == before.indexed


@pytest.mark.usefixtures("cli_env")
def test_run_status_and_verify_say_so_in_one_line_instead_of_mismatches(
    private_chain: PrivateChain, settings: IndexerSettings, clean_db: Engine, build: Build
) -> None:
    sync_until_head(settings, clean_db)
    ok = runner.invoke(app, ["indexer", "status"])
    assert ok.exit_code == 0, ok.output
    assert private_chain.deployment.address("TerraLuminaOwnership") in ok.output
    new = redeploy(private_chain, build)
    fix = f"terra indexer reindex --from-block {new.deploy_block}"
    for args in (["indexer", "verify"], ["indexer", "run", "--until-head"]):
        result = runner.invoke(app, args)
        assert result.exit_code == DeploymentChanged.exit_code, result.output
        assert fix in result.output and "mismatch" not in result.output
        assert len(result.output.strip().splitlines()) == 1, result.output
    status = runner.invoke(app, ["indexer", "status"])
    assert status.exit_code == 0, status.output
    assert fix in status.output


@pytest.mark.usefixtures("cli_env")
def test_reindex_from_the_new_deploy_block_follows_the_new_deployment(
    private_chain: PrivateChain, settings: IndexerSettings, clean_db: Engine, build: Build
) -> None:
    sync_until_head(settings, clean_db)
    new = redeploy(private_chain, build)
    mixing = runner.invoke(app, ["indexer", "reindex", "--from-block", str(new.deploy_block + 1)])
    assert mixing.exit_code == DeploymentChanged.exit_code, mixing.output
    result = runner.invoke(app, ["indexer", "reindex", "--from-block", str(new.deploy_block)])
    assert result.exit_code == 0, result.output
    assert recorded(clean_db, 31337) == expected(new)
    checked = runner.invoke(app, ["indexer", "verify"])
    assert checked.exit_code == 0, checked.output
    assert "0 balances and 0 projects checked" in checked.output  # the new contracts hold nothing yet
