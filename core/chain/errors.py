"""Failures a user of the chain commands can see, each with a one-line meaning."""


class ChainError(RuntimeError):
    """Base of every chain-access failure shown to users as one line."""


class ChainUnreachable(ChainError):
    """No JSON-RPC answer at the given URL."""


class WrongChain(ChainError):
    """The RPC serves another chain than the one configured."""


class TransactionReverted(ChainError):
    """A transaction was mined but reverted."""


class DeploymentNotFound(ChainError):
    """No deployments/<chain_id>.json for this chain."""


class MissingKey(ChainError):
    """A signing key is needed and none is configured for this (non-local) chain."""
