"""KYC: identity checks at a provider (start, status), its signed webhooks, and the allowlist intents that
approval queues."""
