"""What the benchmark chain holds, block by block, as plain data: `hot` (7 investors, today's flattering shape) and
`platform` (tens of thousands of investors over 50 projects with a long tail, as real crowdfunding has).

Pure and deterministic (a seed, no network), so a half-generated chain resumes at any round and the shapes'
invariants are tested without anvil.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

PROJECTS = 50
SHAPES = ("hot", "platform")

HOT_INVESTORS = 7
HOT_MINTS_PER_ROUND = 400  # one transaction: ~15M gas once balances are warm, under Osaka's 2^24 per transaction
HOT_WARM_UP_CHUNK = 100

# A mint to a new (holder, project) slot writes a zero slot (~55k gas in a batch against ~37k warm), so the platform
# shape sends two transactions of 200 per block: the same 800 events per block as the hot shape, ~11M gas each.
PLATFORM_MINTS_PER_TX = 200
PLATFORM_TXS_PER_ROUND = 2
ALLOWLIST_CHUNK = 500  # setAllowedBatch: ~25k gas per new account
TRANSFER_EVERY = 4  # rounds; one batch transfer and one single transfer between investors, as in the hot shape
MAX_BATCH_IDS = PROJECTS

# Long tails. Investments per investor: P(k) ~ k^-2 on 1..5000 (61% invest once, 76% at most twice, a few
# hundred thousands of times); projects: Zipf with s = 1.1 (the biggest gets ~22% of investments, the smallest 0.3%).
INVESTMENTS_EXPONENT = 2.0
MAX_INVESTMENTS = 5_000
PROJECT_EXPONENT = 1.1
MIN_AMOUNT = 1_000  # cents: the $10 minimum


@dataclass(frozen=True, slots=True)
class Mint:
    project: int
    investor: int  # index into the shape's investors
    amount: int
    ref: int  # unique per shape: the payment reference is derived from it


@dataclass(frozen=True, slots=True)
class Transfer:
    """`safeBatchTransferFrom` when it carries several ids, `safeTransferFrom` for one (OpenZeppelin emits a
    TransferSingle for a one-id batch anyway); sent by `sender`."""

    sender: int
    recipient: int
    projects: tuple[int, ...]
    amounts: tuple[int, ...]

    @property
    def batch(self) -> bool:
        return len(self.projects) > 1


@dataclass(frozen=True, slots=True)
class Block:
    """One mined block: allowlist updates first (for the next block's newcomers), then mints, then transfers."""

    allow: tuple[int, ...]
    mints: tuple[tuple[Mint, ...], ...]  # one tuple per mintInvestmentBatch transaction
    transfers: tuple[Transfer, ...]

    @property
    def events(self) -> int:
        # AllowlistUpdated per account; TransferSingle + InvestmentMinted per mint; one event per transfer call
        return len(self.allow) + 2 * sum(len(tx) for tx in self.mints) + len(self.transfers)


@dataclass(frozen=True)
class Shape:
    name: str
    investors: int
    blocks: tuple[Block, ...]  # the first one also creates the projects

    @property
    def events(self) -> int:
        return PROJECTS + sum(b.events for b in self.blocks)


def shape(name: str, events: int, seed: int = 1) -> Shape:
    if name == "hot":
        return hot_shape(events)
    if name == "platform":
        return platform_shape(events, seed)
    raise ValueError(f"unknown chain shape {name!r}: one of {', '.join(SHAPES)}")


def hot_shape(events: int) -> Shape:
    """Today's chain: 7 investors, each holding every project (a 350-row balance set every upsert hits)."""
    investors = list(range(HOT_INVESTORS))
    refs = itertools.count()
    pairs = [(p, h) for p in range(1, PROJECTS + 1) for h in investors]
    warm = tuple(
        tuple(Mint(p, h, 1, next(refs)) for p, h in pairs[i : i + HOT_WARM_UP_CHUNK])
        for i in range(0, len(pairs), HOT_WARM_UP_CHUNK)
    )
    blocks = [Block(tuple(investors), (), ()), Block((), warm, ())]
    total = PROJECTS + sum(b.events for b in blocks)
    round_no = 0
    while total < events:
        n = HOT_MINTS_PER_ROUND
        mints = tuple(
            Mint(1 + (round_no * n + k) % PROJECTS, (round_no + k) % HOT_INVESTORS, 1_000 + k, next(refs))
            for k in range(n)
        )
        transfers: tuple[Transfer, ...] = ()
        if round_no % TRANSFER_EVERY == TRANSFER_EVERY - 1:
            a, b = round_no % HOT_INVESTORS, (round_no + 1) % HOT_INVESTORS
            transfers = (
                Transfer(a, b, tuple(range(1, PROJECTS + 1)), (1,) * PROJECTS),
                Transfer(b, a, (1 + round_no % PROJECTS,), (1,)),
            )
        block = Block((), (mints,), transfers)
        blocks.append(block)
        total += block.events
        round_no += 1
    return Shape("hot", HOT_INVESTORS, tuple(blocks))


def _cumulative(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def investment_counts(rng: random.Random, events: int, transfer_events_per_mint: float) -> list[int]:
    """Investments per investor, drawn until they and their share of the transfers make `events` (each investor
    costs one AllowlistUpdated and two events per mint; the last one is trimmed to fit)."""
    cum = _cumulative([k**-INVESTMENTS_EXPONENT for k in range(1, MAX_INVESTMENTS + 1)])
    counts: list[int] = []
    left = float(events)
    while left > 0:
        k = 1 + bisect.bisect_left(cum, rng.random() * cum[-1])
        k = max(1, min(k, math.ceil((left - 1) / (2 + transfer_events_per_mint))))
        counts.append(k)
        left -= 1 + k * (2 + transfer_events_per_mint)
    return counts


def platform_shape(events: int, seed: int = 1) -> Shape:
    """Long-tailed investors over long-tailed projects; every investor allowlisted the block before their first mint."""
    rng = random.Random(seed)
    per_round = PLATFORM_MINTS_PER_TX * PLATFORM_TXS_PER_ROUND
    counts = investment_counts(rng, events - PROJECTS, 2 / (TRANSFER_EVERY * per_round))
    project_cum = _cumulative([p**-PROJECT_EXPONENT for p in range(1, PROJECTS + 1)])
    entries = [
        (i, 1 + bisect.bisect_left(project_cum, rng.random() * project_cum[-1]))
        for i, c in enumerate(counts)
        for _ in range(c)
    ]
    rng.shuffle(entries)
    rounds = [entries[i : i + per_round] for i in range(0, len(entries), per_round)]

    allowed: set[int] = set()
    newcomers: list[tuple[int, ...]] = []
    for chunk in rounds:
        fresh = tuple(dict.fromkeys(inv for inv, _ in chunk if inv not in allowed))
        allowed.update(fresh)
        newcomers.append(fresh)

    balances: dict[tuple[int, int], int] = {}
    holdings: dict[int, set[int]] = {}
    past: list[int] = []  # investor of every mined mint: a draw from it is weighted by activity
    refs = itertools.count()
    blocks = [Block(newcomers[0], (), ())]
    for r, chunk in enumerate(rounds):
        transfers = _transfers(rng, balances, holdings, past) if r % TRANSFER_EVERY == TRANSFER_EVERY - 1 else ()
        mints = [Mint(p, inv, MIN_AMOUNT * _amount_multiple(rng), next(refs)) for inv, p in chunk]
        txs = tuple(tuple(mints[i : i + PLATFORM_MINTS_PER_TX]) for i in range(0, len(mints), PLATFORM_MINTS_PER_TX))
        allow = newcomers[r + 1] if r + 1 < len(newcomers) else ()
        blocks.append(Block(allow, txs, transfers))
        for m in mints:
            balances[m.project, m.investor] = balances.get((m.project, m.investor), 0) + m.amount
            holdings.setdefault(m.investor, set()).add(m.project)
            past.append(m.investor)
    return Shape("platform", len(counts), tuple(blocks))


def _amount_multiple(rng: random.Random) -> int:
    """Most tickets are $10-$50, a few thousands of dollars (Pareto, alpha 1.5, capped at $10,000)."""
    return min(1_000, int(rng.paretovariate(1.5)))


def _transfers(
    rng: random.Random, balances: dict[tuple[int, int], int], holdings: dict[int, set[int]], past: list[int]
) -> tuple[Transfer, ...]:
    """A holder sends one unit of each project it holds to another investor, who sends one unit back: both from
    balances mined in earlier blocks, one unit each, so no balance reaches zero and no holder disappears."""
    if len(set(past[-1000:])) < 2:
        return ()
    a = rng.choice(past)
    b = rng.choice(past)
    while b == a:
        b = rng.choice(past)
    # only from balances above one unit: a unit received by transfer is never sent on, so no balance reaches zero
    ids = tuple(sorted(p for p in holdings[a] if balances[p, a] > 1)[:MAX_BATCH_IDS])
    back = min(p for p in holdings[b] if balances[p, b] > 1)
    out = (Transfer(a, b, ids, (1,) * len(ids)), Transfer(b, a, (back,), (1,)))
    for t in out:
        for p, v in zip(t.projects, t.amounts, strict=True):
            balances[p, t.sender] -= v
            balances[p, t.recipient] = balances.get((p, t.recipient), 0) + v
            holdings.setdefault(t.recipient, set()).add(p)
    return out


def mints(s: Shape) -> Iterator[Mint]:
    for b in s.blocks:
        for tx in b.mints:
            yield from tx
