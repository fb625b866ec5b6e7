"""Alembic migrations of the one schema all services share."""
