"""Every ORM model lives here so that all services read one schema; import from the submodules.

The chain mirror's tables and models are all `chain_*` / `Chain*`: the plain names (projects, payments,
investments) are left to the API's catalogue and the relayer."""

from core.models.accounts import Permission, RefreshToken, RefreshTokenFamily, Role, RolePermission, User, UserRole
from core.models.base import Base
from core.models.catalogue import CatalogueVersion, Project, ProjectDocument, ProjectUpdate
from core.models.chain import ChainDeployment
from core.models.chain_mirror import ChainBlock, ChainCheckpoint, ChainEvent
from core.models.chain_ownership import (
    ChainAllowlistEntry,
    ChainBalance,
    ChainDistribution,
    ChainExit,
    ChainFrozen,
    ChainHolderCount,
    ChainPause,
    ChainProject,
    ChainRole,
)
from core.models.chain_payments import ChainMint, ChainPayment
from core.models.chain_series import ChainMintRecord, ChainPaymentRecord, ChainTransferRecord
from core.models.distributions import Distribution, UserDistribution
from core.models.exits import ProjectExitRequest
from core.models.investments import CustodialAccount, Investment, InvestmentStatusChange
from core.models.investor_profiles import InvestorProfile
from core.models.kyc import KycRecord, KycWebhookEvent
from core.models.notifications import Notification, NotificationCursor, NotificationSubject
from core.models.payments import ComplianceIntent, CryptoPaymentSeen, MintIntent, PaymentFlag, StripeEvent
from core.models.project_intents import ProjectIntent
from core.models.relayer_transactions import RelayerTransaction, RelayerTransactionAttempt
from core.models.siwe import SiweNonce
from core.models.wallets import UserWallet

__all__ = [
    "Base",
    "CatalogueVersion",
    "ChainAllowlistEntry",
    "ChainBalance",
    "ChainBlock",
    "ChainCheckpoint",
    "ChainDeployment",
    "ChainDistribution",
    "ChainEvent",
    "ChainExit",
    "ChainFrozen",
    "ChainHolderCount",
    "ChainMint",
    "ChainMintRecord",
    "ChainPause",
    "ChainPayment",
    "ChainPaymentRecord",
    "ChainProject",
    "ChainRole",
    "ChainTransferRecord",
    "ComplianceIntent",
    "CryptoPaymentSeen",
    "CustodialAccount",
    "Distribution",
    "Investment",
    "InvestmentStatusChange",
    "KycRecord",
    "KycWebhookEvent",
    "InvestorProfile",
    "MintIntent",
    "Notification",
    "NotificationCursor",
    "NotificationSubject",
    "PaymentFlag",
    "Permission",
    "Project",
    "ProjectExitRequest",
    "ProjectDocument",
    "ProjectIntent",
    "ProjectUpdate",
    "RefreshToken",
    "RefreshTokenFamily",
    "RelayerTransaction",
    "RelayerTransactionAttempt",
    "Role",
    "RolePermission",
    "SiweNonce",
    "StripeEvent",
    "User",
    "UserDistribution",
    "UserRole",
    "UserWallet",
]
