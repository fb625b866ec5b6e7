"""`terra contracts deploy|verify` and `terra demo seed` end to end, and their one-line failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner
from web3 import Web3

from core.chain.accounts import anvil_account
from terra.cli import app
from terra.local.anvil import Anvil, free_port

runner = CliRunner()
DEPLOYER = anvil_account(0).address
MULTISIG = anvil_account(12).address


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str) -> Path:
    monkeypatch.setenv("TERRA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", database_url)  # demo seed writes the catalogue: the session's own database
    for var in ("RPC_URL", "CHAIN_ID", "DEPLOYMENTS_DIR", "IPFS_API_URL", "DEPLOYER_PRIVATE_KEY", "RELAYER_ADDRESS"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


@pytest.fixture(scope="module")
def fresh_anvil() -> Anvil:
    with Anvil() as node:
        yield node  # type: ignore[misc]


@pytest.mark.usefixtures("clean_db")  # the seed's catalogue rows are counted: no rows left by an earlier test
def test_deploy_verify_and_seed_on_a_fresh_chain(env: Path, fresh_anvil: Anvil) -> None:
    result = runner.invoke(app, ["contracts", "deploy", "--rpc-url", fresh_anvil.url])
    assert result.exit_code == 0, result.output
    record = json.loads((env / "deployments" / "31337.json").read_text())
    assert set(record["contracts"]) == {"TerraLuminaOwnership", "PaymentRouter", "TestStablecoin", "Distributor"}
    assert record["roles"]["TerraLuminaOwnership"]["MINTER_ROLE"] == ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8"]
    assert record["roles"]["TerraLuminaOwnership"]["DEFAULT_ADMIN_ROLE"] == [DEPLOYER]  # local convenience
    assert all(c["block_number"] > 0 and c["tx_hash"].startswith("0x") for c in record["contracts"].values())

    result = runner.invoke(app, ["contracts", "verify", "--rpc-url", fresh_anvil.url])
    assert result.exit_code == 0, result.output
    assert result.output.count("ok ") == 4
    explorer = env / "deployments" / "verify" / "31337"
    assert json.loads((explorer / "PaymentRouter.standard-input.json").read_text())["language"] == "Solidity"
    assert len((explorer / "PaymentRouter.constructor-args.txt").read_text().strip()) == 3 * 64

    result = runner.invoke(app, ["demo", "seed", "--rpc-url", fresh_anvil.url])
    assert result.exit_code == 0, result.output
    assert "3 project(s) created, 6 investment(s) minted" in result.output
    assert "catalogue: 3 demo project row(s) written" in result.output
    again = runner.invoke(app, ["demo", "seed", "--rpc-url", fresh_anvil.url])
    assert "0 project(s) created, 0 investment(s) minted, 9 already present" in again.output
    assert "catalogue: 0 demo project row(s) written, 3 already up to date" in again.output
    # the relayer funds distributions from its own balance: seeded once, topped up only when short
    assert "minted 1,000,000.00 test stablecoin to the relayer" in result.output
    assert "test stablecoin" not in again.output


def test_verify_reports_an_address_without_code(env: Path, fresh_anvil: Anvil) -> None:
    assert runner.invoke(app, ["contracts", "deploy", "--rpc-url", fresh_anvil.url]).exit_code == 0
    path = env / "deployments" / "31337.json"
    record = json.loads(path.read_text())
    record["contracts"]["PaymentRouter"]["address"] = "0x000000000000000000000000000000000000dEaD"
    path.write_text(json.dumps(record))
    result = runner.invoke(app, ["contracts", "verify", "--rpc-url", fresh_anvil.url])
    assert result.exit_code == 1
    assert "PaymentRouter" in result.output and "no code at this address" in result.output


def test_verify_reports_different_code(env: Path, fresh_anvil: Anvil) -> None:
    assert runner.invoke(app, ["contracts", "deploy", "--rpc-url", fresh_anvil.url]).exit_code == 0
    path = env / "deployments" / "31337.json"
    record = json.loads(path.read_text())
    record["contracts"]["PaymentRouter"]["address"] = record["contracts"]["TestStablecoin"]["address"]
    path.write_text(json.dumps(record))
    result = runner.invoke(app, ["contracts", "verify", "--rpc-url", fresh_anvil.url])
    assert result.exit_code == 1
    assert "do not match: PaymentRouter" in result.output


def test_deploy_to_unreachable_rpc_fails_with_one_line(env: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = runner.invoke(app, ["contracts", "deploy", "--rpc-url", url])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"cannot reach an Ethereum JSON-RPC endpoint at {url}" in result.output


def test_deploy_with_wrong_chain_id_fails_before_any_write(env: Path, fresh_anvil: Anvil) -> None:
    result = runner.invoke(app, ["contracts", "deploy", "--rpc-url", fresh_anvil.url, "--chain-id", "137"])
    assert result.exit_code == 1
    assert "serves chain id 31337, expected 137" in result.output
    assert not (env / "deployments" / "31337.json").exists()


def test_verify_without_deployment_says_how_to_get_one(env: Path, fresh_anvil: Anvil) -> None:
    result = runner.invoke(app, ["contracts", "verify", "--rpc-url", fresh_anvil.url])
    assert result.exit_code == 1
    assert "run `terra contracts deploy`" in result.output


def test_a_production_style_deploy_records_the_admin_and_leaves_the_deployer_powerless(
    env: Path, fresh_anvil: Anvil
) -> None:
    result = runner.invoke(app, ["contracts", "deploy", "--rpc-url", fresh_anvil.url, "--admin", MULTISIG])
    assert result.exit_code == 0, result.output
    roles = json.loads((env / "deployments" / "31337.json").read_text())["roles"]
    assert roles["TerraLuminaOwnership"]["DEFAULT_ADMIN_ROLE"] == [MULTISIG]
    assert roles["PaymentRouter"] == {"DEFAULT_ADMIN_ROLE": [MULTISIG], "PAUSER_ROLE": [MULTISIG]}
    assert "deployer renounced" in result.output

    # The deploying key no longer holds the project-admin role: the seed's first createProject is refused by name.
    result = runner.invoke(app, ["demo", "seed", "--rpc-url", fresh_anvil.url])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    project_admin = "0x" + Web3.keccak(text="PROJECT_ADMIN_ROLE").hex().removeprefix("0x")
    assert f"error: AccessControlUnauthorizedAccount({DEPLOYER}, {project_admin})" in result.output


def test_deploy_off_a_local_chain_without_an_admin_is_refused_before_any_write(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEPLOYER_PRIVATE_KEY", "0x" + anvil_account(0).key.hex().removeprefix("0x"))
    monkeypatch.setenv("RELAYER_ADDRESS", anvil_account(1).address)
    monkeypatch.setenv("TREASURY_ADDRESS", anvil_account(2).address)
    with Anvil(chain_id=80002) as amoy_like:
        result = runner.invoke(app, ["contracts", "deploy", "--rpc-url", amoy_like.url, "--stablecoin", MULTISIG])
        assert amoy_like_nonce(amoy_like.url) == 0
    assert result.exit_code == 1
    assert "an admin address other than the deploying key is required on chain id 80002" in result.output
    assert not (env / "deployments" / "80002.json").exists()


def amoy_like_nonce(url: str) -> int:
    return Web3(Web3.HTTPProvider(url)).eth.get_transaction_count(DEPLOYER)
