"""Payments to mints: a confirmed Stripe or crypto payment becomes exactly one on-chain mint (DESIGN.md).

Not built yet; the only key allowed to mint will live here.
"""
