"""Database access: URL resolution (embedded PostgreSQL by default), engine and sessions."""
