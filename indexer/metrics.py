"""Prometheus metrics of the sync loop (the RPC layer's live in indexer/rpc/metrics.py), and their HTTP endpoint."""

from __future__ import annotations

from wsgiref.simple_server import WSGIServer

from prometheus_client import Counter, Gauge, Histogram, start_http_server

HEAD_BLOCK = Gauge("terra_indexer_head_block", "Newest block number the RPC reported.")
INDEXED_BLOCK = Gauge("terra_indexer_indexed_block", "Checkpoint: every event up to this block is in PostgreSQL.")
FINALIZED_BLOCK = Gauge("terra_indexer_finalized_block", "Blocks up to this one are final in the mirror.")
LAG_BLOCKS = Gauge("terra_indexer_lag_blocks", "Head minus indexed block.")
EVENTS = Counter("terra_indexer_events_total", "Events written to PostgreSQL (raw rows new in their batch).")
EVENTS_PER_SECOND = Gauge("terra_indexer_events_per_second", "Events per second over the current backfill.")
BATCHES = Counter("terra_indexer_batches_total", "Transactions committed by the indexer.", ["kind"])
REORGS = Counter("terra_indexer_reorgs_total", "Reorgs detected and undone.")
REORG_DEPTH = Histogram(
    "terra_indexer_reorg_depth_blocks", "Blocks undone per reorg.", buckets=(1, 2, 3, 5, 10, 20, 32, 64, 128, 256)
)
EMPTY_LOGS_RETRIES = Counter(
    "terra_indexer_empty_logs_retries_total", "Empty eth_getLogs answers retried because the bloom said otherwise."
)
BLOOM_FALSE_POSITIVES = Counter(
    "terra_indexer_bloom_false_positives_total", "Blocks whose bloom matched but every source agreed on no logs."
)
HALTS = Counter("terra_indexer_halts_total", "Deliberate stops (reorg beyond finality, store conflict).", ["reason"])


def serve_metrics(port: int, host: str = "127.0.0.1") -> WSGIServer:
    """Expose /metrics on loopback (a daemon thread of prometheus-client); `shutdown()` the server to stop it."""
    server, _thread = start_http_server(port, addr=host)
    return server


def observe_position(head: int, indexed: int, finalized: int) -> None:
    HEAD_BLOCK.set(head)
    INDEXED_BLOCK.set(indexed)
    FINALIZED_BLOCK.set(finalized)
    LAG_BLOCKS.set(max(0, head - indexed))
