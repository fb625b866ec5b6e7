"""HTTP plumbing shared by every route: middleware (request id, logs, metrics, limits, headers) and checks."""
