"""The failures a user can see when investing, each with its stable code (mapped to the envelope by api.errors)."""

from __future__ import annotations

from api.errors import ApiError


class KycRequired(ApiError):
    status, code, message = 403, "KYC_REQUIRED", "Complete identity verification (KYC) before investing."


class ProjectNotFound(ApiError):
    status, code, message = 404, "PROJECT_NOT_FOUND", "No such project."


class ProjectNotOpen(ApiError):
    status, code, message = (
        409,
        "PROJECT_NOT_OPEN",
        "This project does not take investments (not on chain yet, or exited).",
    )


class BelowMinimum(ApiError):
    status, code, message = 422, "BELOW_MINIMUM_INVESTMENT", "The amount is below the project's minimum investment."


class CapacityExceeded(ApiError):
    status, code, message = 409, "CAPACITY_EXCEEDED", "The project has less capacity left than the amount asked."


class InvestmentLimitExceeded(ApiError):
    status, code, message = (
        409,
        "INVESTMENT_LIMIT_EXCEEDED",
        "The amount would exceed your 12-month investment limit (Regulation Crowdfunding).",
    )


class WalletRequired(ApiError):
    status, code, message = 422, "WALLET_REQUIRED", "A crypto investment needs the wallet that pays."


class WalletNotLinked(ApiError):
    status, code, message = (
        422,
        "WALLET_NOT_LINKED",
        "This wallet is not linked to your account (Sign-In with Ethereum).",
    )


class PaymentProviderUnavailable(ApiError):
    status, code, message = (
        502,
        "PAYMENT_PROVIDER_UNAVAILABLE",
        "The card payment provider did not answer; nothing was stored, try again.",
    )


class CryptoPaymentsUnavailable(ApiError):
    status, code, message = 503, "CRYPTO_PAYMENTS_UNAVAILABLE", "Crypto payments are not configured on this chain."


class InvestmentNotFound(ApiError):
    status, code, message = 404, "INVESTMENT_NOT_FOUND", "No such investment."
