"""Test content: reproducible incompressible bytes, and the sizes where a UnixFS DAG changes shape."""

from __future__ import annotations

import random

KIB = 1024
MIB = 1024 * KIB
CHUNK = 256 * KIB
ONE_FULL_NODE = 174 * CHUNK  # the largest file whose DAG is one node over its leaves
TWO_LEVELS = 45 * MIB  # > 174 chunks: a root over two nodes over leaves


def random_bytes(size: int, seed: int | None = None) -> bytes:
    """Incompressible content, the same on every run (seeded by its size unless told otherwise)."""
    return random.Random(size if seed is None else seed).randbytes(size)
