"""Send a contract call or deployment signed by a local key and wait for its receipt; reverts come out by name."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractLogicError
from web3.types import TxParams, TxReceipt

from core.chain.errors import TransactionReverted
from core.chain.revert import describe_revert, revert_data_of


@contextmanager
def named_reverts() -> Iterator[None]:
    """A revert seen at estimate or call time (web3's ContractCustomError / ContractLogicError) becomes a
    TransactionReverted whose message is the error's name and arguments."""
    try:
        yield
    except ContractLogicError as exc:
        data = revert_data_of(exc)
        message = describe_revert(data) if data is not None else (exc.message or str(exc))
        raise TransactionReverted(message, data) from exc


def mined_revert_data(w3: Web3, tx_hash: HexBytes, tx: dict[str, Any], block_number: int) -> str | None:
    """The revert data of a mined transaction: from the node's call tracer where it has one (exact), otherwise by
    replaying the call on the state before its block (the other transactions of the block are not replayed)."""
    try:
        trace = w3.provider.make_request("debug_traceTransaction", [tx_hash.to_0x_hex(), {"tracer": "callTracer"}])  # type: ignore[arg-type]  # RPCEndpoint is a str NewType
        result = trace.get("result") or {}
        if result.get("error") and isinstance(result.get("output"), str):
            return str(result["output"])
    except Exception:  # noqa: BLE001 - tracing is optional on public RPCs; the replay below is the fallback
        pass
    call = {k: tx[k] for k in ("from", "to", "data", "value", "gas") if k in tx}
    try:
        w3.eth.call(call, block_identifier=block_number - 1)  # type: ignore[arg-type]  # a plain dict is a TxParams
    except ContractLogicError as exc:
        return revert_data_of(exc)
    except Exception:  # noqa: BLE001 - a failed replay leaves the reason unknown, never hides the revert itself
        return None
    return None


def send(w3: Web3, account: LocalAccount, tx: dict[str, Any], timeout: float = 120.0) -> TxReceipt:
    tx = {**tx, "from": account.address, "chainId": w3.eth.chain_id}
    tx.setdefault("nonce", w3.eth.get_transaction_count(account.address, "pending"))
    if "gas" not in tx:
        with named_reverts():
            tx["gas"] = int(w3.eth.estimate_gas(tx) * 1.2) + 10_000  # type: ignore[arg-type]  # a plain dict is a TxParams
    if "maxFeePerGas" not in tx and "gasPrice" not in tx:
        base = w3.eth.get_block("latest").get("baseFeePerGas", 0)
        tip = w3.eth.max_priority_fee
        tx["maxPriorityFeePerGas"] = tip
        tx["maxFeePerGas"] = 2 * base + tip
    signed = account.sign_transaction(tx)
    tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=timeout)
    if receipt["status"] != 1:
        data = mined_revert_data(w3, HexBytes(tx_hash), tx, receipt["blockNumber"])
        reason = describe_revert(data) if data is not None else "reason unavailable"
        where = f"transaction {tx_hash.to_0x_hex()} reverted in block {receipt['blockNumber']}"
        raise TransactionReverted(f"{reason} ({where})", data)
    return receipt


def transact(w3: Web3, account: LocalAccount, call: ContractFunction, **overrides: Any) -> TxReceipt:
    with named_reverts():  # build_transaction estimates gas unless `gas` is given: reverts surface here
        tx = call.build_transaction(cast(TxParams, {"from": account.address, **overrides}))
    return send(w3, account, dict(tx))
