"""Connection failures name the endpoint without the API key a provider URL carries."""

from __future__ import annotations

import pytest

from core.chain.connection import connect, shown_url
from core.chain.errors import ChainUnreachable
from terra.local.anvil import free_port


def test_shown_url_drops_path_query_and_credentials() -> None:
    assert shown_url("https://polygon-mainnet.infura.io/v3/0123secretkey") == "https://polygon-mainnet.infura.io"
    assert shown_url("https://user:pass@rpc.example:8545/key?x=1") == "https://rpc.example:8545"


def test_unreachable_endpoint_error_never_shows_the_key() -> None:
    url = f"http://127.0.0.1:{free_port()}/v3/secret-api-key"
    with pytest.raises(ChainUnreachable) as info:
        connect(url, timeout=2)
    assert "secret-api-key" not in str(info.value)
    assert "http://127.0.0.1:" in str(info.value)
