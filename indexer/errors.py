"""The indexer's own failures in one place: those that stop it on purpose (each with the exit code `terra indexer`
ends with), and those the sync loop catches and recovers from by reading again."""

from __future__ import annotations

# ----- the sync loop reads again --------------------------------------------------------------------


class BlockReplaced(RuntimeError):
    """The block being read was replaced on chain meanwhile; the next step sees the reorg through its header."""


class InconsistentRange(RuntimeError):
    """Logs and headers of one range disagree on a block hash: the chain moved while it was read; fetch again."""


# ----- the indexer stops: a person has to look ------------------------------------------------------


class IndexerHalt(RuntimeError):
    """The indexer refuses to go on: going on would corrupt the mirror. A person has to look."""

    exit_code = 2


class StoreConflict(IndexerHalt):
    """A batch does not extend the stored checkpoint (a gap, another branch, or a second writer): the store
    refuses it, the transaction rolls back, the indexer stops (exit code 2)."""


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
    """The RPC serves another chain than the deployment or settings say (every RPC URL was refused)."""

    exit_code = 4


class DeploymentChanged(IndexerHalt):
    """deployments/<chain_id>.json names other contracts than the ones this mirror was built from (a new deployment
    on the same chain): mixing the two would mirror neither."""

    exit_code = 6
