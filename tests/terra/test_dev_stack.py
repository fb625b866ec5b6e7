"""`terra dev` end to end: embedded PostgreSQL, anvil, contracts, demo data, printed URLs, clean Ctrl-C."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from terra.local.anvil import free_port


@pytest.mark.slow
def test_terra_dev_starts_everything_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "RPC_URL", "IPFS_API_URL", "CHAIN_ID")}
    env["TERRA_DATA_DIR"] = str(tmp_path / "data")
    env["API_PORT"] = str(free_port())  # the API, off its default port
    env.pop("API_JWT_SECRET", None)  # local mode: the named development key
    env = {k: v for k, v in env.items() if not k.startswith("STRIPE_")}
    env["STRIPE_API_BASE"] = f"http://127.0.0.1:{free_port()}"  # the FAKE Stripe, off its default port
    env["RELAYER_PORT"] = str(free_port())  # the relayer, off its default port
    env = {k: v for k, v in env.items() if not k.startswith("KYC_")}
    env["KYC_API_BASE"] = f"http://127.0.0.1:{free_port()}"  # the FAKE KYC provider, off its default port
    env["KYC_FAKE_APPROVE_SECONDS"] = "0.5"
    proc = subprocess.Popen(
        [sys.executable, "-m", "terra.cli", "dev", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "Ctrl-C stops everything" in line:
                break
        output = "".join(lines)
        assert "Ctrl-C stops everything" in output, output
        assert f"http://127.0.0.1:{port}" in output and "chain ID 31337" in output
        assert "TerraLuminaOwnership" in output and "embedded PostgreSQL" in output
        mints = [line for line in lines if "minted " in line and "test stablecoin" not in line]
        assert len(mints) == 6 and "project 3 " in output
        assert "test stablecoin to the relayer" in output  # its float for paying distributions
        assert f"local FAKE Stripe, test mode (no STRIPE_SECRET_KEY): {env['STRIPE_API_BASE']}" in output
        assert httpx.get(f"{env['STRIPE_API_BASE']}/_fake/events", timeout=5).json()["data"] == []
        relayer = f"http://127.0.0.1:{env['RELAYER_PORT']}"
        assert f"relayer               {relayer}/webhooks/stripe" in output
        assert f"webhooks to         {relayer}/webhooks/stripe" in output  # the fake delivers to this relayer
        for _ in range(60):
            try:
                if httpx.get(f"{relayer}/health", timeout=2).json().get("status") == "ok":
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        assert httpx.get(f"{relayer}/health", timeout=2).json() == {"status": "ok", "chain_id": 31337}
        api = f"http://127.0.0.1:{env['API_PORT']}"
        assert f"API                   {api}/api/v1" in output
        health = httpx.get(f"{api}/health", timeout=5).json()
        assert health["success"] is True and health["data"] == {"status": "ok"}
        assert httpx.get(f"{api}/ready", timeout=5).json()["data"]["status"] == "ready"
        registered = httpx.post(
            f"{api}/api/v1/users/register",
            json={"email": "dev@example.org", "password": "Correct-Horse-Battery-42", "country": "DE"},
            timeout=30,
        )
        assert registered.status_code == 201, registered.text
        assert f"local FAKE KYC provider (no KYC_API_TOKEN): {env['KYC_API_BASE']}" in output
        assert f"webhooks to         {api}/api/v1/kyc/webhook" in output
        login = httpx.post(
            f"{api}/api/v1/users/login",
            json={"email": "dev@example.org", "password": "Correct-Horse-Battery-42"},
            timeout=30,
        )
        auth = {"Authorization": f"Bearer {login.json()['data']['access_token']}"}
        kyc = httpx.post(f"{api}/api/v1/users/kyc", json={"first_name": "Dev", "last_name": "User"}, headers=auth)
        assert kyc.status_code == 201, kyc.text
        for _ in range(120):  # the fake approves, its webhook reaches the API
            status = httpx.get(f"{api}/api/v1/users/kyc/status", headers=auth, timeout=5).json()["data"]["status"]
            if status == "verified":
                break
            time.sleep(0.25)
        assert status == "verified"
        # The banner's database shell line is the exact psql command for the embedded server.
        shell = next(line for line in lines if line.startswith("database shell"))
        psql = shlex.split(shell.removeprefix("database shell").strip())
        answer = subprocess.run([*psql, "-At", "-c", "select count(*) from chain_deployments"], capture_output=True)
        assert answer.returncode == 0, answer.stderr
        # The relayer inside `terra dev` derives the verified user's custodial address and queues its allowlist entry.
        allowed = "select count(*) from custodial_accounts c join compliance_intents i on i.account = c.address"
        for _ in range(120):
            counted = subprocess.run([*psql, "-At", "-c", allowed], capture_output=True, text=True)
            if counted.stdout.strip() == "1":
                break
            time.sleep(0.25)
        assert counted.stdout.strip() == "1", counted.stderr
        # Notifications go to the FAKE SMTP sink, stored where the banner says.
        mail_dir = tmp_path / "data" / "mail"
        assert "local FAKE SMTP sink (no SMTP_HOST)" in output and f"received mail       {mail_dir}" in output
        completed = (
            "WITH i AS (INSERT INTO investments (id, chain_id, investor_user_id, project_id, amount_cents, method,"
            " payment_ref, status) VALUES (gen_random_uuid(), 31337, '{user}', 1, 2500, 'card',"
            " '0x' || repeat('ab', 32), 'completed') RETURNING id)"
            " INSERT INTO investment_status_history (investment_id, from_status, to_status, cause)"
            " SELECT id, 'minting', 'completed', 'test' FROM i"
        ).format(user=registered.json()["data"]["id"])
        inserted = subprocess.run([*psql, "-At", "-c", completed], capture_output=True)
        assert inserted.returncode == 0, inserted.stderr
        for _ in range(120):
            if list(mail_dir.glob("*.eml")):
                break
            time.sleep(0.5)
        [mail] = list(mail_dir.glob("*.eml"))
        assert "To: dev@example.org" in mail.read_text()
        chain_id = httpx.post(
            f"http://127.0.0.1:{port}", json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}
        ).json()
        assert int(chain_id["result"], 16) == 31337
        # The indexer runs inside `terra dev`: its mirror of the demo data must verify against the chain.
        verify = [sys.executable, "-m", "terra.cli", "indexer", "verify", "--rpc-url", f"http://127.0.0.1:{port}"]
        for _ in range(120):
            checked = subprocess.run(verify, env=env, capture_output=True, text=True)
            if checked.returncode == 0 and "6 balances and 3 projects checked" in checked.stdout:
                break
            time.sleep(0.5)
        assert checked.returncode == 0 and "6 balances and 3 projects checked" in checked.stdout, checked.stdout
        # The demo projects are in the catalogue, and uri(id) points at this stack's API, which serves their metadata.
        listed = subprocess.run([*psql, "-At", "-c", "select token_id from projects order by 1"], capture_output=True)
        assert listed.stdout.decode().split() == ["1", "2", "3"], listed.stderr
        assert "catalogue: 3 demo project row(s) written" in output
        from web3 import Web3

        from core.chain.abis import OWNERSHIP, load_abi

        record = json.loads((Path(env["TERRA_DATA_DIR"]) / "deployments" / "31337.json").read_text())
        w3 = Web3(Web3.HTTPProvider(f"http://127.0.0.1:{port}"))
        ownership = w3.eth.contract(address=record["contracts"][OWNERSHIP]["address"], abi=load_abi(OWNERSHIP))
        assert ownership.functions.uri(1).call() == f"{api}/api/v1/metadata/{{id}}"
        metadata = httpx.get(f"{api}/api/v1/metadata/{1:064x}", timeout=10)
        assert metadata.status_code == 200 and metadata.json()["name"] == "Sunrise Solar Farm - Nevada"

        _invest_in_the_dev_stack(api, psql, env["STRIPE_API_BASE"])
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0, rest
        assert "stopped cleanly" in rest
        with pytest.raises(httpx.HTTPError):
            httpx.post(f"http://127.0.0.1:{port}", json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"}, timeout=2)
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"{api}/health", timeout=2)
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"{env['STRIPE_API_BASE']}/_fake/events", timeout=2)
    finally:
        if proc.poll() is None:
            # Ctrl-C first: a killed `terra dev` would leave its anvil and database running.
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _invest_in_the_dev_stack(api: str, psql: list[str], stripe_base: str) -> None:
    """The API inside `terra dev` takes investments: a card one gets its PaymentIntent from the stack's FAKE Stripe,
    a crypto one the deployment's router. KYC and the linked wallet are written directly (their own flows are tested
    elsewhere); the catalogue row is the demo seed's."""
    wallet = "0x" + "7a" * 20
    setup = (
        "UPDATE users SET kyc_status = 'verified' WHERE email = 'dev@example.org';"
        f"INSERT INTO user_wallets (address, user_id, chain_id) SELECT '{wallet}', id, 31337 FROM users"
        " WHERE email = 'dev@example.org';"
        "SELECT id FROM projects WHERE token_id = 1;"
    )
    done = subprocess.run([*psql, "-At", "-c", setup], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    project_id = done.stdout.split()[-1]
    login = httpx.post(
        f"{api}/api/v1/users/login", json={"email": "dev@example.org", "password": "Correct-Horse-Battery-42"}
    )
    headers = {"Authorization": f"Bearer {login.json()['data']['access_token']}"}
    card = httpx.post(
        f"{api}/api/v1/investments",
        json={"project_id": project_id, "method": "card", "amount": "25.00"},
        headers=headers,
        timeout=30,
    )
    assert card.status_code == 201, card.text
    intent = card.json()["data"]["payment"]["payment_intent_id"]
    held = httpx.get(
        f"{stripe_base}/v1/payment_intents/{intent}",
        headers={"Authorization": "Bearer sk_test_terra_local_fake_stripe"},
    )
    assert held.status_code == 200 and held.json()["amount"] == 2500
    crypto = httpx.post(
        f"{api}/api/v1/investments",
        json={"project_id": project_id, "method": "crypto", "amount": "25.00", "wallet": wallet},
        headers=headers,
        timeout=30,
    )
    assert crypto.status_code == 201, crypto.text
    assert crypto.json()["data"]["payment"]["amount_units"] == str(25_000_000)
