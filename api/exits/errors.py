"""Failures of the exit routes, each with its stable code."""

from __future__ import annotations

from api.errors import ApiError


class ProjectAlreadyExited(ApiError):
    status, code, message = 409, "PROJECT_ALREADY_EXITED", "The project has exited or its exit is under way."


class CommunityDaoInvalid(ApiError):
    status, code, message = 422, "COMMUNITY_DAO_INVALID", "The community DAO must be a non-zero address."


class ProjectNotExited(ApiError):
    status, code, message = 409, "PROJECT_NOT_EXITED", "The project has not exited: there is no final statement yet."


class NotAHolder(ApiError):
    status, code, message = 404, "NOT_A_HOLDER", "You hold nothing of this project and were paid nothing from it."
