"""Accounts: registration, password login with lockout, JWT access and rotating refresh tokens, cookies with CSRF
for the web app, the signed-in user's profile, and roles and permissions (RBAC)."""
