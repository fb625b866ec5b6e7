"""The transaction manager: the one nonce owner of one key. Every step commits what it decided before it acts on
the chain, so a kill at any point leaves rows that `recover` can reconcile: a nonce is taken only in the same
database transaction that stores the signed bytes for it, and bytes are broadcast only once committed.

One `tick` follows blocks (reorgs, finality), then receipts, fills nonce gaps, signs queued rows in order,
broadcasts, and replaces attempts left unmined for `replace_after` seconds with fees +12.5% at the same nonce."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from sqlalchemy.orm import Session, sessionmaker
from web3 import Web3
from web3.exceptions import ContractLogicError

from core.chain.revert import describe_revert, revert_data_of
from core.chain.transactions import mined_revert_data
from core.models.relayer_transactions import RelayerTransaction, RelayerTransactionAttempt
from relayer.tx import node
from relayer.tx import repository as repo
from relayer.tx.faults import crash_point
from relayer.tx.fees import Fees, bumped_fees, initial_fees
from relayer.tx.node import ChainState
from relayer.tx.nonce import plan_nonces
from relayer.tx.send_errors import SendOutcome
from relayer.tx.settings import TxSettings
from relayer.tx.states import (
    BROADCAST,
    CANCEL_PURPOSE,
    CANCELLED,
    DROPPED,
    FINAL,
    MINED,
    QUEUED,
    REVERTED,
    SIGNED,
    TxView,
)

log = structlog.get_logger(__name__)

StillNeeded = Callable[[Session, TxView], bool]
SELF_TRANSFER_GAS = 21_000


class TransactionManager:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        w3: Web3,
        signer: LocalAccount,
        settings: TxSettings,
        *,
        still_needed: StillNeeded | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._sessions = session_factory
        self._w3 = w3
        self._signer = signer
        self._settings = settings
        self._still_needed = still_needed
        self._clock = clock or (lambda: datetime.now(UTC))
        self.sender = signer.address.lower()
        self._chain_id: int | None = None

    @property
    def chain_id(self) -> int:
        if self._chain_id is None:
            self._chain_id = self._w3.eth.chain_id
        return self._chain_id

    # ----- entry points ----------------------------------------------------------------------------

    def recover(self) -> None:
        """On start, before sending anything: settle what the chain already did with our stored transactions
        (receipts, reorged blocks, nonces used elsewhere), cancel signed ones no longer needed (their nonce still
        used, by a self-transfer) and add fillers for nonce gaps. Sending is left to `tick`."""
        state = node.read_chain(self._w3, self._signer.address, self._settings.finality_depth)
        self._follow_blocks(state)
        self._follow_receipts(state)
        self._cancel_unneeded(state)
        self._fill_gaps(state)

    def tick(self) -> None:
        state = node.read_chain(self._w3, self._signer.address, self._settings.finality_depth)
        self._follow_blocks(state)
        self._follow_receipts(state)
        self._fill_gaps(state)
        self._sign_queued(state)
        self._send_signed()
        self._replace_or_resend(node.read_chain(self._w3, self._signer.address, self._settings.finality_depth))

    def run(self, stop: threading.Event, interval: float = 1.0) -> None:
        """`recover`, retried until it succeeds, then a `tick` every `interval` seconds until `stop` is set. A
        failed pass (an RPC or database error) is logged and the next one starts over: each step commits what it
        decided before acting, so a pass cut short leaves nothing half done."""
        while not stop.is_set():
            try:
                self.recover()
                break
            except Exception:  # noqa: BLE001 - logged; nothing is sent before recover has succeeded
                log.exception("tx_recover_failed")
                stop.wait(interval)
        while not stop.is_set():
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - logged; the next pass reconciles from what was committed
                log.exception("tx_pass_failed")
            stop.wait(interval)

    # ----- following blocks and receipts -----------------------------------------------------------

    def _follow_blocks(self, state: ChainState) -> None:
        """A row whose block is no longer canonical goes back to broadcast and its mined bytes are sent again;
        a row whose block is at or below the finalized block becomes final."""
        resend: list[bytes] = []
        with self._sessions.begin() as session:
            now = self._clock()
            canonical: dict[int, str | None] = {}
            for row in repo.in_block_not_final(session, self.sender):
                assert row.block_number is not None
                if row.block_number not in canonical:
                    canonical[row.block_number] = node.block_hash(self._w3, row.block_number, state.head)
                if canonical[row.block_number] != row.block_hash:
                    log.warning("tx_reorged_out", tx_id=str(row.id), nonce=row.nonce, block=row.block_number)
                    attempt = repo.attempt(session, row.mined_hash or row.current_hash or "")
                    if attempt is not None:
                        resend.append(attempt.raw)
                    _clear_block(row, now)
                elif row.block_number <= state.finalized:
                    row.final_at = now
                    row.updated_at = now
                    if row.status == MINED:
                        row.status = FINAL
        for raw in resend:
            node.send_raw(self._w3, raw)

    def _follow_receipts(self, state: ChainState) -> None:
        for tx_id in self._in_flight_ids():
            with self._sessions.begin() as session:
                row = session.get(RelayerTransaction, tx_id, with_for_update=True)
                if row is None or row.status not in (SIGNED, BROADCAST) or row.nonce is None:
                    continue
                found = self._find_mined(repo.attempts_of(session, row))
                if found is None:
                    if row.nonce < state.latest_nonce and row.nonce < node.latest_nonce(self._w3, self._signer.address):
                        # Used before the first read (so its receipt would be there) and still used after the
                        # receipts were read (so no reorg took it away in between): used by none of our attempts.
                        log.error("tx_nonce_used_elsewhere", tx_id=str(row.id), nonce=row.nonce)
                        row.status, row.updated_at = DROPPED, self._clock()
                    continue
                attempt, receipt = found
                if state.head - int(receipt["blockNumber"]) + 1 < self._settings.confirmations:
                    continue
                self._record_receipt(row, attempt, receipt)
            crash_point("after_receipt")

    def _in_flight_ids(self) -> list[Any]:
        with self._sessions.begin() as session:
            return [r.id for r in repo.in_flight(session, self.sender)]

    def _find_mined(self, attempts: list[RelayerTransactionAttempt]) -> tuple[RelayerTransactionAttempt, Any] | None:
        for attempt in reversed(attempts):  # the newest is the likeliest
            receipt = node.receipt(self._w3, attempt.tx_hash)
            if receipt is not None and receipt.get("blockHash") is not None:
                return attempt, receipt
        return None

    def _record_receipt(self, row: RelayerTransaction, attempt: RelayerTransactionAttempt, receipt: Any) -> None:
        now = self._clock()
        row.mined_hash = attempt.tx_hash
        row.block_number = int(receipt["blockNumber"])
        row.block_hash = HexBytes(receipt["blockHash"]).to_0x_hex()
        row.gas_used = int(receipt["gasUsed"])
        row.mined_at = row.updated_at = now
        if attempt.kind == "cancel":
            row.status = CANCELLED
        elif int(receipt["status"]) == 1:
            row.status = MINED
        else:
            call = {
                "from": self._signer.address,
                "to": Web3.to_checksum_address(row.to_address),
                "data": row.data,
                "value": int(row.value),
                "gas": row.gas_limit or int(receipt["gasUsed"]),
            }
            data = mined_revert_data(self._w3, HexBytes(attempt.tx_hash), call, row.block_number)
            row.status = REVERTED
            row.revert_data = data
            row.revert_reason = describe_revert(data) if data is not None else "reverted (reason unavailable)"
            log.warning("tx_reverted", tx_id=str(row.id), nonce=row.nonce, reason=row.revert_reason)

    # ----- nonces: gaps, cancellation --------------------------------------------------------------

    def _fill_gaps(self, state: ChainState) -> None:
        with self._sessions.begin() as session:
            repo.lock_sender(session, self.sender)
            plan = plan_nonces(
                repo.held_nonces(session, self.sender, state.latest_nonce), state.latest_nonce, state.pending_nonce
            )
            now = self._clock()
            for nonce in plan.gaps:
                log.warning("tx_nonce_gap_filled", nonce=nonce, sender=self.sender)
                row = repo.add_filler(session, self.sender, nonce, CANCEL_PURPOSE, now)
                fees = initial_fees(state.base_fee, self._settings.priority_fee_per_gas, self._max_fee)
                self._sign_attempt(session, row, fees, "cancel", now)

    def _cancel_unneeded(self, state: ChainState) -> None:
        """Signed rows (maybe sent before a crash, maybe not) whose call is no longer needed: their nonce is used by
        a 0-value self-transfer at bumped fees, so that it replaces the call if the call did reach a pool."""
        if self._still_needed is None:
            return
        with self._sessions.begin() as session:
            now = self._clock()
            for row in repo.in_flight(session, self.sender, statuses=(SIGNED,)):
                attempts = repo.attempts_of(session, row)
                if not attempts or attempts[-1].kind == "cancel":
                    continue
                if self._still_needed(session, repo.view_of(row, attempts)):
                    continue
                fees = bumped_fees(
                    _fees_of(attempts[-1]), state.base_fee, self._settings.priority_fee_per_gas, self._max_fee
                )
                if fees is None:  # at the cap: send the call itself; the contract refuses what is no longer needed
                    continue
                log.info("tx_cancelled_by_self_transfer", tx_id=str(row.id), nonce=row.nonce)
                self._sign_attempt(session, row, fees, "cancel", now)

    # ----- signing and sending ---------------------------------------------------------------------

    @property
    def _max_fee(self) -> int:
        return self._settings.max_fee_per_gas

    def _sign_queued(self, state: ChainState) -> None:
        """Queued rows in queue order, one database transaction each: the nonce and the signed bytes commit
        together, before any broadcast."""
        while True:
            with self._sessions.begin() as session:
                repo.lock_sender(session, self.sender)
                row = repo.first_queued(session, self.sender)
                if row is None:
                    return
                crash_point("after_store")
                now = self._clock()
                if self._still_needed is not None and not self._still_needed(session, repo.view_of(row, [])):
                    log.info("tx_cancelled_unsent", tx_id=str(row.id), purpose=row.purpose)
                    row.status, row.updated_at = CANCELLED, now
                    continue
                gas = row.gas_limit or self._estimate(session, row)
                if gas is None:
                    if row.status == QUEUED:
                        return  # waits behind our own unmined transactions, in order
                    continue
                plan = plan_nonces(
                    repo.held_nonces(session, self.sender, state.latest_nonce), state.latest_nonce, state.pending_nonce
                )
                row.nonce, row.gas_limit, row.status, row.signed_at = plan.next_nonce, gas, SIGNED, now
                fees = initial_fees(state.base_fee, self._settings.priority_fee_per_gas, self._max_fee)
                self._sign_attempt(session, row, fees, "call", now)
            crash_point("after_sign")

    def _estimate(self, session: Session, row: RelayerTransaction) -> int | None:
        """The gas limit, or None when the call reverts at estimation: then it waits while earlier transactions
        of ours are unmined (it may depend on them, an allowlisting before a mint), and is otherwise marked
        reverted without taking a nonce."""
        call = {
            "from": self._signer.address,
            "to": Web3.to_checksum_address(row.to_address),
            "data": row.data,
            "value": int(row.value),
        }
        try:
            estimate = self._w3.eth.estimate_gas(call)  # type: ignore[arg-type]  # a plain dict is a TxParams
        except ContractLogicError as exc:
            if repo.in_flight(session, self.sender):
                return None
            data = revert_data_of(exc)
            row.status, row.updated_at = REVERTED, self._clock()
            row.revert_data = data
            row.revert_reason = describe_revert(data) if data is not None else (exc.message or str(exc))
            log.warning("tx_refused_at_estimation", tx_id=str(row.id), purpose=row.purpose, reason=row.revert_reason)
            return None
        return int(estimate * (100 + self._settings.gas_margin_percent) // 100) + 10_000

    def _sign_attempt(self, session: Session, row: RelayerTransaction, fees: Fees, kind: str, now: datetime) -> None:
        assert row.nonce is not None
        cancel = kind == "cancel"
        tx: dict[str, Any] = {
            "type": 2,
            "chainId": self.chain_id,
            "nonce": row.nonce,
            "to": self._signer.address if cancel else Web3.to_checksum_address(row.to_address),
            "value": 0 if cancel else int(row.value),
            "data": b"" if cancel else row.data,
            "gas": SELF_TRANSFER_GAS if cancel else row.gas_limit,
            "maxFeePerGas": fees.max_fee_per_gas,
            "maxPriorityFeePerGas": fees.max_priority_fee_per_gas,
        }
        signed = self._signer.sign_transaction(tx)
        repo.add_attempt(
            session,
            row,
            tx_hash=signed.hash.to_0x_hex(),
            raw=bytes(signed.raw_transaction),
            fees=fees,
            kind=kind,
            now=now,
        )

    def _send_signed(self) -> None:
        """Broadcast signed rows, lowest nonce first. A refusal leaves the row signed: the next pass sends the same
        bytes again (a node that already has them says so), or replaces them when their fees are too low."""
        with self._sessions.begin() as session:
            todo = [(r.id, r.current_hash) for r in repo.in_flight(session, self.sender, statuses=(SIGNED,))]
        for tx_id, tx_hash in todo:
            with self._sessions.begin() as session:
                attempt = repo.attempt(session, tx_hash or "")
                raw = attempt.raw if attempt is not None else None
            if raw is None:
                continue
            outcome = node.send_raw(self._w3, raw)
            if outcome not in (SendOutcome.ACCEPTED, SendOutcome.NONCE_USED):
                continue
            crash_point("after_broadcast")
            with self._sessions.begin() as session:
                row = session.get(RelayerTransaction, tx_id, with_for_update=True)
                attempt = repo.attempt(session, tx_hash or "")
                if row is None or attempt is None or row.status != SIGNED or row.current_hash != tx_hash:
                    continue
                now = self._clock()
                row.status, row.updated_at = BROADCAST, now
                row.broadcast_at = row.broadcast_at or now
                attempt.broadcast_at = attempt.broadcast_at or now

    def _replace_or_resend(self, state: ChainState) -> None:
        """Unmined rows whose current attempt is older than `replace_after`: a new attempt at the same nonce with
        both fees +12.5% (stored, committed, then sent). Younger ones the node has lost (a restart, an eviction)
        are sent again as they are: a nonce left out of the pool would jam every nonce above it."""
        with self._sessions.begin() as session:
            ids = [
                r.id
                for r in repo.in_flight(session, self.sender)
                if r.nonce is not None and r.nonce >= state.latest_nonce
            ]
        for tx_id in ids:
            with self._sessions.begin() as session:
                row = session.get(RelayerTransaction, tx_id, with_for_update=True)
                if row is None or row.status not in (SIGNED, BROADCAST):
                    continue
                attempts = repo.attempts_of(session, row)
                current = attempts[-1]
                now = self._clock()
                age = now - (current.broadcast_at or current.created_at)
                new_fees = None
                if age >= timedelta(seconds=self._settings.replace_after):
                    new_fees = bumped_fees(
                        _fees_of(current), state.base_fee, self._settings.priority_fee_per_gas, self._max_fee
                    )
                    if new_fees is None:
                        log.warning("tx_at_fee_cap", tx_id=str(row.id), nonce=row.nonce)
                if new_fees is not None:
                    self._sign_attempt(session, row, new_fees, current.kind, now)
                    log.info(
                        "tx_replaced", tx_id=str(row.id), nonce=row.nonce, old=current.tx_hash, new=row.current_hash
                    )
                    raw, sent_hash = repo.attempts_of(session, row)[-1].raw, row.current_hash
                elif row.status == BROADCAST and not node.knows(self._w3, current.tx_hash):
                    raw, sent_hash = current.raw, current.tx_hash
                else:
                    continue
            if node.send_raw(self._w3, raw) in (SendOutcome.ACCEPTED, SendOutcome.NONCE_USED):
                self._mark_sent(tx_id, sent_hash)

    def _mark_sent(self, tx_id: Any, tx_hash: str | None) -> None:
        with self._sessions.begin() as session:
            row = session.get(RelayerTransaction, tx_id, with_for_update=True)
            attempt = repo.attempt(session, tx_hash or "")
            if row is None or attempt is None or row.status not in (SIGNED, BROADCAST):
                return
            now = self._clock()
            attempt.broadcast_at = now
            row.status, row.updated_at = BROADCAST, now
            row.broadcast_at = row.broadcast_at or now


def _fees_of(attempt: RelayerTransactionAttempt) -> Fees:
    return Fees(int(attempt.max_fee_per_gas), int(attempt.max_priority_fee_per_gas))


def _clear_block(row: RelayerTransaction, now: datetime) -> None:
    row.status = BROADCAST
    row.mined_hash = row.block_hash = None
    row.block_number = row.gas_used = None
    row.revert_reason = row.revert_data = None
    row.mined_at = None
    row.updated_at = now
