"""Send a contract call or deployment signed by a local key and wait for its receipt."""

from __future__ import annotations

from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.types import TxReceipt

from core.chain.errors import TransactionReverted


def send(w3: Web3, account: LocalAccount, tx: dict[str, Any], timeout: float = 120.0) -> TxReceipt:
    tx = {**tx, "from": account.address, "chainId": w3.eth.chain_id}
    tx.setdefault("nonce", w3.eth.get_transaction_count(account.address, "pending"))
    if "gas" not in tx:
        tx["gas"] = int(w3.eth.estimate_gas(tx) * 1.2) + 10_000
    if "maxFeePerGas" not in tx and "gasPrice" not in tx:
        base = w3.eth.get_block("latest").get("baseFeePerGas", 0)
        tip = w3.eth.max_priority_fee
        tx["maxPriorityFeePerGas"] = tip
        tx["maxFeePerGas"] = 2 * base + tip
    signed = account.sign_transaction(tx)
    tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=timeout)
    if receipt["status"] != 1:
        raise TransactionReverted(f"transaction {tx_hash.hex()} reverted")
    return receipt


def transact(w3: Web3, account: LocalAccount, call: ContractFunction, **overrides: Any) -> TxReceipt:
    tx = call.build_transaction({"from": account.address, **overrides})
    return send(w3, account, dict(tx))
