"""The built-in roles and permissions (RBAC). Written to the database at start-up (`sync_builtin_roles`), so that a
permission ships with the code that checks it; roles are granted per user (user_roles)."""

from __future__ import annotations

from types import MappingProxyType

PERMISSIONS = MappingProxyType(
    {
        "admin.users.read": "List and read user accounts.",
        "admin.users.write": "Change user accounts and their roles.",
        "admin.projects.write": "Create projects and publish their updates.",
        "admin.flags.read": "Read payments flagged for an administrator.",
        "admin.distributions.write": "Record distributions of project revenue and read them.",
        "admin.projects.exit": "Hand a project to its community DAO and read every holder's final statement.",
        "ratelimit.premium": "The premium rate-limit tier (API_RATE_LIMIT_PREMIUM instead of the authenticated one).",
    }
)

ADMIN = "admin"
INVESTOR = "investor"
PREMIUM = "premium"
PREMIUM_RATE_LIMIT = "ratelimit.premium"

ROLES: MappingProxyType[str, tuple[str, tuple[str, ...]]] = MappingProxyType(
    {
        ADMIN: ("Platform administrator.", tuple(PERMISSIONS)),
        INVESTOR: ("A registered investor: what every signed-in user may do, nothing more.", ()),
        PREMIUM: ("A caller with the premium rate limit.", (PREMIUM_RATE_LIMIT,)),
    }
)
