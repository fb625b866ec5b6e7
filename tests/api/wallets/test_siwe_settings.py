"""The SIWE settings: the RPC checking contract wallets is API_SIWE_RPC_URL, else the services' RPC; a bad URL is
refused naming its variable, and a key in it is scrubbed from logs like any RPC URL's."""

from __future__ import annotations

import pytest

from api.settings import ApiSettings
from core.redact import redact
from core.settings import InvalidSettings, load_settings

KEY = "k3yK3yk3yK3yk3yK3yk3yK3yk3yK3y99"


def test_the_contract_wallet_rpc_falls_back_to_the_service_rpc(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("API_SIWE_RPC_URL", "RPC_URLS", "RPC_URL"):
        monkeypatch.delenv(name, raising=False)
    assert load_settings(ApiSettings, rpc_url="http://127.0.0.1:9545").siwe_rpc_url == "http://127.0.0.1:9545"
    both = load_settings(ApiSettings, rpc_url="http://127.0.0.1:9545", rpc_urls="http://a.example,http://b.example")
    assert both.siwe_rpc_url == "http://a.example"
    own = load_settings(ApiSettings, rpc_urls="http://a.example", api_siwe_rpc_url="https://rpc.example/v1/x")
    assert own.siwe_rpc_url == "https://rpc.example/v1/x"


def test_a_bad_rpc_url_is_refused_naming_its_variable() -> None:
    with pytest.raises(InvalidSettings, match="API_SIWE_RPC_URL"):
        load_settings(ApiSettings, api_siwe_rpc_url="not a url")


def test_a_key_in_the_rpc_url_never_reaches_a_log() -> None:
    load_settings(ApiSettings, api_siwe_rpc_url=f"https://polygon.example/v2/{KEY}")
    assert KEY not in redact(f"calling https://polygon.example/v2/{KEY} failed", urls=False)
