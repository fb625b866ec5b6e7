"""Open a Web3 connection and check it serves the expected chain before anything is written."""

from __future__ import annotations

from web3 import HTTPProvider, Web3

from core.chain.errors import ChainUnreachable, WrongChain
from core.redact import shown_url

__all__ = ["connect", "shown_url"]


def connect(rpc_url: str, expected_chain_id: int | None = None, timeout: float = 10.0) -> Web3:
    w3 = Web3(HTTPProvider(rpc_url, request_kwargs={"timeout": timeout}))
    try:
        chain_id = w3.eth.chain_id
    except Exception as exc:  # requests/aiohttp/value errors alike mean "no usable RPC here"
        raise ChainUnreachable(
            f"cannot reach an Ethereum JSON-RPC endpoint at {shown_url(rpc_url)}: {type(exc).__name__}"
        ) from exc
    if expected_chain_id is not None and chain_id != expected_chain_id:
        raise WrongChain(f"{shown_url(rpc_url)} serves chain id {chain_id}, expected {expected_chain_id}")
    return w3
