"""The chain over raw JSON-RPC: a lean client with retries and failover, and the pure rules it follows."""
