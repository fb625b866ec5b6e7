"""Events -> changes to the derived tables, as plain values. Pure: no database, no network.

Additive state (balances, supply) becomes deltas, so undoing blocks is applying the negated deltas of the events
removed. Last-writer state (allowlist, pause, roles, frozen amounts) keeps the newest event per key; undo recomputes
those keys from the events that remain. Everything else is one row per event, deleted by block number on undo.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from indexer.records import EventRecord
from indexer.rows import DistributionRow, ExitRow, Latest, LatestAmount, MintRow, PaymentRow, ProjectRow, TransferRow

ZERO_ADDRESS = "0x" + "0" * 40

BalanceKey = tuple[int, str]  # (project id, holder)
RoleKey = tuple[str, str, str]  # (contract, role, account)
FrozenKey = tuple[int, str]  # (project id, account)


@dataclass
class Effects:
    balance_deltas: defaultdict[BalanceKey, int] = field(default_factory=lambda: defaultdict(int))
    supply_deltas: defaultdict[int, int] = field(default_factory=lambda: defaultdict(int))
    projects: list[ProjectRow] = field(default_factory=list)
    exits: list[ExitRow] = field(default_factory=list)
    distributions: list[DistributionRow] = field(default_factory=list)
    mints: list[MintRow] = field(default_factory=list)
    payments: list[PaymentRow] = field(default_factory=list)
    transfers: list[TransferRow] = field(default_factory=list)
    allowlist: dict[str, Latest] = field(default_factory=dict)
    pauses: dict[str, Latest] = field(default_factory=dict)
    roles: dict[RoleKey, Latest] = field(default_factory=dict)
    frozen: dict[FrozenKey, LatestAmount] = field(default_factory=dict)

    def negated_balances(self) -> dict[BalanceKey, int]:
        return {k: -v for k, v in self.balance_deltas.items() if v}

    def negated_supply(self) -> dict[int, int]:
        return {k: -v for k, v in self.supply_deltas.items() if v}


def _move(fx: Effects, r: EventRecord, batch_index: int, project: int, amount: int) -> None:
    a = r.args
    sender, receiver = a.from_, a.to
    if amount:
        if sender == ZERO_ADDRESS:
            fx.supply_deltas[project] += amount
        else:
            fx.balance_deltas[(project, sender)] -= amount
        if receiver == ZERO_ADDRESS:
            fx.supply_deltas[project] -= amount
        else:
            fx.balance_deltas[(project, receiver)] += amount
    fx.transfers.append(
        TransferRow(
            r.block_time,
            r.block_number,
            r.block_hash,
            r.log_index,
            batch_index,
            r.tx_hash,
            a.operator,
            sender,
            receiver,
            project,
            amount,
        )
    )


def _transfer_single(fx: Effects, r: EventRecord) -> None:
    _move(fx, r, 0, int(r.args.id), int(r.args.value))


def _transfer_batch(fx: Effects, r: EventRecord) -> None:
    for i, (project, amount) in enumerate(zip(r.args.ids, r.args.values, strict=True)):
        _move(fx, r, i, int(project), int(amount))


def _project_created(fx: Effects, r: EventRecord) -> None:
    a = r.args
    raw = getattr(a, "metadata_cid_raw", None)  # absent from events stored before it existed, and when clean
    cid_bytes = bytes.fromhex(raw[2:]) if raw else None
    fx.projects.append(
        ProjectRow(int(a.project_id), int(a.supply_cap), a.metadata_cid, cid_bytes, r.block_number, r.tx_hash)
    )


def _project_exited(fx: Effects, r: EventRecord) -> None:
    fx.exits.append(
        ExitRow(
            int(r.args.project_id),
            r.args.community_dao,
            r.block_number,
            r.block_hash,
            r.tx_hash,
            r.log_index,
            r.block_time,
        )
    )


def _returns_distributed(fx: Effects, r: EventRecord) -> None:
    a = r.args
    fx.distributions.append(
        DistributionRow(
            int(a.project_id),
            int(a.distribution_id),
            int(a.total_amount),
            a.merkle_root,
            int(a.snapshot_block),
            r.block_number,
            r.block_hash,
            r.tx_hash,
            r.log_index,
            r.block_time,
        )
    )


def _investment_minted(fx: Effects, r: EventRecord) -> None:
    a = r.args
    fx.mints.append(
        MintRow(
            a.payment_ref,
            int(a.project_id),
            a.investor,
            int(a.amount),
            r.block_number,
            r.block_hash,
            r.tx_hash,
            r.log_index,
            r.block_time,
        )
    )


def _payment_received(fx: Effects, r: EventRecord) -> None:
    a = r.args
    fx.payments.append(
        PaymentRow(
            a.payment_ref,
            a.payer,
            int(a.project_id),
            a.token,
            int(a.amount),
            r.block_number,
            r.block_hash,
            r.tx_hash,
            r.log_index,
            r.block_time,
        )
    )


def _allowlist_updated(fx: Effects, r: EventRecord) -> None:
    fx.allowlist[r.args.account] = Latest(bool(r.args.allowed), r.block_number, r.log_index)


def _frozen(fx: Effects, r: EventRecord) -> None:
    # Every change of a frozen amount emits Frozen with the new absolute amount (setFrozenTokens, and forcedTransfer
    # when it lowers one), so the newest event per key is the state.
    fx.frozen[(int(r.args.project_id), r.args.account)] = LatestAmount(int(r.args.amount), r.block_number, r.log_index)


def _pause(value: bool) -> Callable[[Effects, EventRecord], None]:
    def fold(fx: Effects, r: EventRecord) -> None:
        fx.pauses[r.contract] = Latest(value, r.block_number, r.log_index)

    return fold


def _role(granted: bool) -> Callable[[Effects, EventRecord], None]:
    def fold(fx: Effects, r: EventRecord) -> None:
        fx.roles[(r.contract, r.args.role, r.args.account)] = Latest(granted, r.block_number, r.log_index)

    return fold


# Events absent here (ApprovalForAll, URI, RoleAdminChanged, TokenAllowed, TreasuryUpdated, ForcedTransfer) live in
# chain_events only. A ForcedTransfer's units move in its TransferSingle, which the balances already fold.
FOLDS: dict[str, Callable[[Effects, EventRecord], None]] = {
    "TransferSingle": _transfer_single,
    "TransferBatch": _transfer_batch,
    "ProjectCreated": _project_created,
    "ProjectExited": _project_exited,
    "ReturnsDistributed": _returns_distributed,
    "InvestmentMinted": _investment_minted,
    "PaymentReceived": _payment_received,
    "AllowlistUpdated": _allowlist_updated,
    "Frozen": _frozen,
    "Paused": _pause(True),
    "Unpaused": _pause(False),
    "RoleGranted": _role(True),
    "RoleRevoked": _role(False),
}


def fold(records: Iterable[EventRecord]) -> Effects:
    """Effects of `records`, which must come in chain order (block number, then log index)."""
    fx = Effects()
    folds = FOLDS
    for r in records:
        handler = folds.get(r.name)
        if handler is not None:
            handler(fx, r)
    return fx
