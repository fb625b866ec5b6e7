"""The failures a caller of the distribution routes can see, each with its stable code."""

from __future__ import annotations

from api.errors import ApiError


class DistributionNotFound(ApiError):
    status, code, message = 404, "DISTRIBUTION_NOT_FOUND", "No such distribution, or nothing of it is yours."


class ClaimedByPlatform(ApiError):
    status, code = 409, "CLAIMED_BY_PLATFORM"
    message = "This share is held at your custodial address: the platform claims it for you."


class AlreadyClaimed(ApiError):
    status, code, message = 409, "ALREADY_CLAIMED", "This share was claimed already."


class DistributionNotFunded(ApiError):
    status, code, message = 409, "DISTRIBUTION_NOT_FUNDED", "The distribution is not funded on chain yet."


class DistributionClosed(ApiError):
    status, code, message = 409, "DISTRIBUTION_CLOSED", "The claim period of this distribution is over."


# ----- recording refused (core.distributions.record's rules, one type per rule) -------------------


class DistributionTotalNotPositive(ApiError):
    status, code, message = 422, "DISTRIBUTION_TOTAL_NOT_POSITIVE", "The total must be positive."


class DistributionTypeUnknown(ApiError):
    status, code, message = 422, "DISTRIBUTION_TYPE_UNKNOWN", "The distribution type must be quarterly, annual or exit."


class NoHolders(ApiError):
    status, code, message = 422, "NO_HOLDERS", "Nobody holds the project at the snapshot block."


class ProjectNotFound(ApiError):
    status, code, message = 404, "PROJECT_NOT_FOUND", "No such project."


class ProjectExited(ApiError):
    status, code, message = 409, "PROJECT_EXITED", "The project has exited."


class IndexNotFinal(ApiError):
    status, code, message = 503, "INDEX_NOT_FINAL", "The index has no final block yet."


class SnapshotInFuture(ApiError):
    status, code, message = 422, "SNAPSHOT_IN_FUTURE", "The snapshot block is past what the index holds."


class SnapshotNotFinal(ApiError):
    status, code, message = 422, "SNAPSHOT_NOT_FINAL", "The snapshot block is not final yet."


class DistributionKeyReused(ApiError):
    status, code, message = 409, "DISTRIBUTION_KEY_REUSED", "This idempotency key recorded a different distribution."


class PayoutTokenUnsuitable(ApiError):
    status, code, message = 500, "PAYOUT_TOKEN_UNSUITABLE", "The payout token cannot count cents."


REFUSALS: dict[str, type[ApiError]] = {
    cls.code: cls
    for cls in (
        DistributionTotalNotPositive,
        DistributionTypeUnknown,
        NoHolders,
        ProjectNotFound,
        ProjectExited,
        IndexNotFinal,
        SnapshotInFuture,
        SnapshotNotFinal,
        DistributionKeyReused,
        PayoutTokenUnsuitable,
    )
}
