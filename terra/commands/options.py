"""Options shared by several commands."""

from typing import Annotated

import typer

RpcUrl = Annotated[
    str | None, typer.Option("--rpc-url", help="JSON-RPC endpoint (default: RPC_URL from the environment).")
]
ChainId = Annotated[
    int | None, typer.Option("--chain-id", help="Expected chain id; anything else aborts before a write.")
]
