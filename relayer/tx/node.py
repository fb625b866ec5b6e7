"""The few node calls the transaction manager makes, each reduced to what it decides on: one pass's reading of the
chain, a canonical block hash, a receipt, whether the node has a transaction, and the outcome of a send."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import structlog
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import BlockNotFound, TransactionNotFound

from relayer.tx.finality import finalized_block
from relayer.tx.send_errors import SendOutcome, classify_send_error

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ChainState:
    """What one pass reads from the chain first. `latest_nonce` is read before any receipt: a nonce counted as used
    here was used by a transaction already in a block, so its receipt is there when we look."""

    latest_nonce: int
    pending_nonce: int
    head: int
    base_fee: int
    finalized: int


def read_chain(w3: Web3, address: str, finality_depth: int) -> ChainState:
    eth = w3.eth
    account = Web3.to_checksum_address(address)
    latest_nonce = eth.get_transaction_count(account, "latest")
    pending_nonce = eth.get_transaction_count(account, "pending")
    block = eth.get_block("latest")
    head = int(block["number"])
    try:
        tagged: int | None = int(eth.get_block("finalized")["number"])
    except Exception:  # noqa: BLE001 - RPCs without the tag answer with errors of all kinds; the depth decides
        tagged = None
    final = finalized_block(head, tagged, finality_depth)
    return ChainState(latest_nonce, pending_nonce, head, int(block.get("baseFeePerGas", 0)), final)


def latest_nonce(w3: Web3, address: str) -> int:
    return w3.eth.get_transaction_count(Web3.to_checksum_address(address), "latest")


def block_hash(w3: Web3, number: int, head: int) -> str | None:
    """The canonical hash at `number`, None when the chain has no such block (rolled back)."""
    if number > head:
        return None
    try:
        return HexBytes(w3.eth.get_block(number)["hash"]).to_0x_hex()
    except BlockNotFound:
        return None


def receipt(w3: Web3, tx_hash: str) -> Any | None:
    try:
        return w3.eth.get_transaction_receipt(HexBytes(tx_hash))
    except TransactionNotFound:
        return None


def knows(w3: Web3, tx_hash: str) -> bool:
    """Whether the node has the transaction (in its pool or a block)."""
    try:
        return w3.eth.get_transaction(HexBytes(tx_hash)) is not None
    except TransactionNotFound:
        return False


def send_raw(w3: Web3, raw: bytes) -> SendOutcome:
    try:
        w3.eth.send_raw_transaction(raw)
    except Exception as exc:  # noqa: BLE001 - every refusal is classified; a timeout means "maybe sent"
        outcome = classify_send_error(str(exc))
        if outcome is not SendOutcome.ACCEPTED:
            log.info("tx_send_refused", outcome=outcome.value, error=type(exc).__name__)
        return outcome
    return SendOutcome.ACCEPTED
