"""Distributions: proofs and claim transactions for wallet holders, and the admin's recording of a distribution."""
