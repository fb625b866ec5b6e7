"""Failures that stop the indexer on purpose, each with the exit code `terra indexer` ends with."""

from __future__ import annotations


class IndexerHalt(RuntimeError):
    """The indexer refuses to go on: going on would corrupt the mirror. A person has to look."""

    exit_code = 2


class ReorgBeyondFinality(IndexerHalt):
    """The chain replaced a block the mirror holds as final (or below the kept window)."""

    exit_code = 3

    def __init__(self, block_number: int, indexed_hash: str, chain_hash: str | None, finalized: int) -> None:
        self.block_number = block_number
        self.indexed_hash = indexed_hash
        self.chain_hash = chain_hash
        self.finalized = finalized
        super().__init__(
            f"reorg deeper than finality: block {block_number} is {indexed_hash} in the mirror but "
            f"{chain_hash or 'absent'} on chain, and blocks up to {finalized} were final. Nothing was changed; "
            "check the RPC endpoints, then `terra indexer reindex --from-block N` below the fork "
            "if the chain is right."
        )


class MirrorInvariantBroken(IndexerHalt):
    """A batch would break a database invariant (balance below zero, supply above cap, a duplicate key): the
    events and the mirror disagree. The batch was rolled back."""


class WrongDeployment(IndexerHalt):
    """The RPC serves another chain than the deployment or settings say."""

    exit_code = 4


class DeploymentChanged(IndexerHalt):
    """deployments/<chain_id>.json names other contracts than the ones this mirror was built from (a new deployment
    on the same chain): mixing the two would mirror neither."""

    exit_code = 6
