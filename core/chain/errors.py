"""Failures a user of the chain commands can see, each with a one-line meaning."""


class ChainError(RuntimeError):
    """Base of every chain-access failure shown to users as one line."""


class ChainUnreachable(ChainError):
    """No JSON-RPC answer at the given URL."""


class WrongChain(ChainError):
    """The RPC serves another chain than the one configured."""


class TransactionReverted(ChainError):
    """A transaction reverted (at gas estimation, in a call, or mined); the message names the error and its arguments.

    `data` is the raw revert data (0x-hex) when the node gave it, for callers that decide on the error itself.
    """

    def __init__(self, message: str, data: str | None = None) -> None:
        super().__init__(message)
        self.data = data


class DeploymentNotFound(ChainError):
    """No deployments/<chain_id>.json for this chain."""


class MissingKey(ChainError):
    """A signing key is needed and none is configured for this (non-local) chain."""
