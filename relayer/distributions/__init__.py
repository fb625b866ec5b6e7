"""Paying distributions: the root on chain, the Distributor funded, custodial holders claimed for."""
