"""`terra dev` hands the API the Sign-In with Ethereum expectations of the local stack: the API's own host:port as
domain and URI, anvil's chain id and RPC; whatever the environment sets explicitly wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import load_settings
from terra.local.anvil import Anvil
from terra.local.stack import LocalStack
from terra.ops.settings import OperatorSettings


def _stack(tmp_path: Path) -> LocalStack:
    settings = load_settings(OperatorSettings, terra_data_dir=tmp_path)
    return LocalStack(settings=settings, anvil=Anvil(port=18545), database_url="postgresql://nobody@127.0.0.1/none")


def test_the_local_api_expects_its_own_origin_and_the_anvil_chain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_PORT", "8123")
    for name in ("API_SIWE_DOMAIN", "API_SIWE_URI", "API_SIWE_CHAIN_ID", "API_SIWE_RPC_URL", "API_HOST"):
        monkeypatch.delenv(name, raising=False)
    api = _stack(tmp_path).api_settings()
    assert (api.api_siwe_domain, api.api_siwe_uri) == ("127.0.0.1:8123", "http://127.0.0.1:8123")
    assert (api.api_siwe_chain_id, api.siwe_rpc_url) == (31337, "http://127.0.0.1:18545")


def test_siwe_settings_from_the_environment_win_in_terra_dev(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_SIWE_DOMAIN", "app.example")
    monkeypatch.setenv("API_SIWE_URI", "https://app.example")
    api = _stack(tmp_path).api_settings()
    assert (api.api_siwe_domain, api.api_siwe_uri) == ("app.example", "https://app.example")
