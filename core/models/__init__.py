"""Every ORM model lives here so that all services read one schema; import from the submodules."""

from core.models.base import Base
from core.models.chain import ChainDeployment
from core.models.chain_mirror import ChainEvent, IndexedBlock, IndexerCheckpoint
from core.models.investments import InvestmentMint, Payment
from core.models.ownership import (
    AllowlistEntry,
    Distribution,
    PauseState,
    Project,
    ProjectBalance,
    ProjectExit,
    ProjectHolderCount,
    RoleMember,
)
from core.models.timeseries import MintRecord, PaymentRecord, TransferRecord

__all__ = [
    "AllowlistEntry",
    "Base",
    "ChainDeployment",
    "ChainEvent",
    "Distribution",
    "IndexedBlock",
    "IndexerCheckpoint",
    "InvestmentMint",
    "MintRecord",
    "PauseState",
    "Payment",
    "PaymentRecord",
    "Project",
    "ProjectBalance",
    "ProjectExit",
    "ProjectHolderCount",
    "RoleMember",
    "TransferRecord",
]
