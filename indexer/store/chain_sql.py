"""SQL for the checkpoint row and the block window."""

from __future__ import annotations

from collections.abc import Sequence

import psycopg

from indexer.checkpoint import Checkpoint
from indexer.records import utc
from indexer.types import BlockHeader


def lock_checkpoint(cur: psycopg.Cursor, chain_id: int) -> Checkpoint | None:
    """The checkpoint, row-locked until commit: two writers of one chain serialize here."""
    cur.execute(
        "SELECT block_number, block_hash, finalized_block FROM chain_checkpoints WHERE chain_id = %s FOR UPDATE",
        (chain_id,),
    )
    row = cur.fetchone()
    return Checkpoint(*row) if row else None


def read_checkpoint(cur: psycopg.Cursor, chain_id: int) -> Checkpoint | None:
    cur.execute(
        "SELECT block_number, block_hash, finalized_block FROM chain_checkpoints WHERE chain_id = %s", (chain_id,)
    )
    row = cur.fetchone()
    return Checkpoint(*row) if row else None


def write_checkpoint(cur: psycopg.Cursor, chain_id: int, checkpoint: Checkpoint) -> None:
    cur.execute(
        """INSERT INTO chain_checkpoints (chain_id, block_number, block_hash, finalized_block, updated_at)
           VALUES (%s, %s, %s, %s, now())
           ON CONFLICT (chain_id) DO UPDATE SET block_number = EXCLUDED.block_number,
               block_hash = EXCLUDED.block_hash, finalized_block = EXCLUDED.finalized_block, updated_at = now()""",
        (chain_id, checkpoint.block_number, checkpoint.block_hash, checkpoint.finalized_block),
    )


def delete_checkpoint(cur: psycopg.Cursor, chain_id: int) -> None:
    cur.execute("DELETE FROM chain_checkpoints WHERE chain_id = %s", (chain_id,))


def insert_blocks(cur: psycopg.Cursor, chain_id: int, headers: Sequence[BlockHeader], finalized: int) -> None:
    # DO NOTHING: a replayed batch brings the same blocks; another branch never gets here (the batch checks hashes).
    cur.executemany(
        """INSERT INTO chain_blocks (chain_id, number, hash, parent_hash, block_time, final)
           VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (chain_id, number) DO NOTHING""",
        [(chain_id, h.number, h.hash, h.parent_hash, utc(h.timestamp), h.number <= finalized) for h in headers],
    )


def stored_block_hash(cur: psycopg.Cursor, chain_id: int, number: int) -> str | None:
    cur.execute("SELECT hash FROM chain_blocks WHERE chain_id = %s AND number = %s", (chain_id, number))
    row = cur.fetchone()
    return row[0] if row else None


def window(cur: psycopg.Cursor, chain_id: int) -> list[tuple[int, str, str]]:
    """(number, hash, parent hash) of every block kept, newest first."""
    cur.execute(
        "SELECT number, hash, parent_hash FROM chain_blocks WHERE chain_id = %s ORDER BY number DESC", (chain_id,)
    )
    return [(n, h, p) for n, h, p in cur.fetchall()]


def finalize_blocks(cur: psycopg.Cursor, chain_id: int, finalized: int, keep_from: int) -> None:
    """Mark blocks final up to `finalized`; drop those below `keep_from` (no reorg can reach them any more)."""
    cur.execute(
        "UPDATE chain_blocks SET final = true WHERE chain_id = %s AND number <= %s AND NOT final",
        (chain_id, finalized),
    )
    cur.execute("DELETE FROM chain_blocks WHERE chain_id = %s AND number < %s", (chain_id, keep_from))


def delete_blocks_above(cur: psycopg.Cursor, chain_id: int, number: int) -> None:
    cur.execute("DELETE FROM chain_blocks WHERE chain_id = %s AND number > %s", (chain_id, number))
