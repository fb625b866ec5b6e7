"""Distributions of project revenue to token holders: exact pro-rata amounts and the merkle tree they are claimed by."""
