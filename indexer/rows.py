"""One NamedTuple per derived-table row the fold produces: field names are the table's column names, so the
store's SQL and COPY text take their column lists from here and read rows by name. Pure."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

# Where the event behind a row sits; the rows that carry it end with these fields (and the table with `final`).
POSITION_FIELDS = ("block_number", "block_hash", "tx_hash", "log_index", "block_time")


class ProjectRow(NamedTuple):
    project_id: int
    supply_cap: int
    metadata_cid: str  # sanitized text (see indexer/decode/events.py)
    metadata_cid_raw: bytes | None  # the exact bytes when the text is not the string itself
    created_block: int
    created_tx: str


class ExitRow(NamedTuple):
    project_id: int
    community_dao: str
    block_number: int
    block_hash: str
    tx_hash: str
    log_index: int
    block_time: datetime


class DistributionRow(NamedTuple):
    project_id: int
    distribution_id: int
    total_amount: int
    merkle_root: str
    snapshot_block: int
    block_number: int
    block_hash: str
    tx_hash: str
    log_index: int
    block_time: datetime


class MintRow(NamedTuple):
    """A row of chain_mints (with `final`) and of chain_mint_series (without)."""

    payment_ref: str
    project_id: int
    investor: str
    amount: int
    block_number: int
    block_hash: str
    tx_hash: str
    log_index: int
    block_time: datetime


class PaymentRow(NamedTuple):
    """A row of chain_payments (with `final`) and of chain_payment_series (without)."""

    payment_ref: str
    payer: str
    project_id: int
    token: str
    amount: int
    block_number: int
    block_hash: str
    tx_hash: str
    log_index: int
    block_time: datetime


class TransferRow(NamedTuple):
    """One (token id, amount) movement: a row of chain_transfer_series."""

    block_time: datetime
    block_number: int
    block_hash: str
    log_index: int
    batch_index: int
    tx_hash: str
    operator: str
    from_address: str
    to_address: str
    project_id: int
    amount: int


class Latest(NamedTuple):
    """Last-writer state (allowlist, pause, role): the value and the event that set it."""

    value: bool
    block_number: int
    log_index: int


class LatestAmount(NamedTuple):
    """Last-writer state holding an amount (a frozen amount): the value and the event that set it."""

    amount: int
    block_number: int
    log_index: int
