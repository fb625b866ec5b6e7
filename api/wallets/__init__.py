"""Wallets: Sign-In with Ethereum (EIP-4361) nonces and verification, and the wallets linked to an account."""
