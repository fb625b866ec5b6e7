"""What the distribution passes need of the chain (the ownership contract, the Distributor, its stablecoin), the
calls they send, and the transaction manager's check before a (re)send: is this call still needed on chain?"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction

from core.models.distributions import Distribution, UserDistribution

RECORD, APPROVE, FUND, CLAIM = "distribute_returns", "approve_payout", "fund_distribution", "claim_returns"
PURPOSES = (RECORD, APPROVE, FUND, CLAIM)

ERC20_ABI: list[dict[str, Any]] = [
    {
        "name": "approve",
        "type": "function",
        "stateMutability": "nonpayable",
        "inputs": [{"name": "spender", "type": "address"}, {"name": "amount", "type": "uint256"}],
        "outputs": [{"type": "bool"}],
    },
    {
        "name": "balanceOf",
        "type": "function",
        "stateMutability": "view",
        "inputs": [{"name": "account", "type": "address"}],
        "outputs": [{"type": "uint256"}],
    },
]


@dataclass
class PayoutChain:
    w3: Web3
    chain_id: int
    sender: str  # the relayer's address (lowercase): records, funds and claims
    ownership: Contract
    distributor: Contract
    stablecoin: Contract  # what the Distributor pays in

    @classmethod
    def of(cls, w3: Web3, chain_id: int, sender: str, ownership: Contract, distributor: Contract) -> PayoutChain:
        token = Web3.to_checksum_address(str(distributor.functions.token().call()))
        return cls(w3, chain_id, sender.lower(), ownership, distributor, w3.eth.contract(address=token, abi=ERC20_ABI))

    # ----- calls ---------------------------------------------------------------------------------

    def record_call(self, d: Distribution) -> ContractFunction:
        return self.ownership.functions.distributeReturns(
            int(d.token_id), d.id, int(d.total_units), _bytes32(d.merkle_root), d.snapshot_block
        )

    def approve_call(self, amount: int) -> ContractFunction:
        return self.stablecoin.functions.approve(self.distributor.address, amount)

    def fund_call(self, d: Distribution) -> ContractFunction:
        return self.distributor.functions.fund(int(d.token_id), d.id, int(d.claim_deadline.timestamp()))

    def claim_call(self, distribution_id: int, leaves: Sequence[UserDistribution]) -> ContractFunction:
        if len(leaves) == 1:
            leaf = leaves[0]
            return self.distributor.functions.claim(
                distribution_id, _address(leaf.account), int(leaf.amount_units), [_bytes32(p) for p in leaf.proof]
            )
        return self.distributor.functions.claimBatch(
            distribution_id,
            [_address(leaf.account) for leaf in leaves],
            [int(leaf.amount_units) for leaf in leaves],
            [[_bytes32(p) for p in leaf.proof] for leaf in leaves],
        )

    # ----- reads ---------------------------------------------------------------------------------

    def balance(self) -> int:
        return int(self.stablecoin.functions.balanceOf(_address(self.sender)).call())

    def recorded_root(self, d: Distribution) -> str:
        _total, root, _block = self.ownership.functions.distribution(int(d.token_id), d.id).call()
        return "0x" + bytes(root).hex()

    def pool_root(self, distribution_id: int) -> str:
        pool = self.distributor.functions.pool(distribution_id).call()
        return "0x" + bytes(pool[1]).hex()

    def claimed(self, distribution_id: int, accounts: Sequence[str]) -> list[bool]:
        return [bool(self.distributor.functions.isClaimed(distribution_id, _address(a)).call()) for a in accounts]


ZERO_ROOT = "0x" + "00" * 32


def payout_still_needed(pc: PayoutChain) -> Callable[[Session, object], bool]:
    """The manager's check before a distribution call first gets a nonce (and after a restart): False when the chain
    already shows what it would do, so a second send is never made. A recording whose id holds another root is
    still sent: the contract refuses it (DistributionAlreadyRecorded) and the distribution fails with that reason."""

    def still_needed(session: Session, tx: object) -> bool:
        tx_id, purpose = getattr(tx, "id"), getattr(tx, "purpose")  # noqa: B009 - the manager's TxView
        if purpose == CLAIM:
            leaves = session.scalars(select(UserDistribution).where(UserDistribution.claim_tx_id == tx_id)).all()
            if not leaves:
                return True
            return not all(pc.claimed(leaves[0].distribution_id, [leaf.account for leaf in leaves]))
        column = {
            RECORD: Distribution.record_tx_id,
            APPROVE: Distribution.approve_tx_id,
            FUND: Distribution.fund_tx_id,
        }.get(purpose)
        if column is None:
            return True
        d = session.scalar(select(Distribution).where(column == tx_id))
        if d is None:
            return True
        if purpose == RECORD:
            return pc.recorded_root(d) != d.merkle_root
        return pc.pool_root(d.id) == ZERO_ROOT  # approve and fund: needed until the pool is funded

    return still_needed


def calldata(call: ContractFunction) -> bytes:
    return bytes(Web3.to_bytes(hexstr=call._encode_transaction_data()))


def _bytes32(hex_value: str) -> bytes:
    return bytes.fromhex(hex_value.removeprefix("0x"))


def _address(account: str) -> str:
    return Web3.to_checksum_address(account)
