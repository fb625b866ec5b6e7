"""The FastAPI service under /api/v1, reading the indexed state (DESIGN.md): `api.app.create_app`."""
