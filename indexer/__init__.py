"""The chain mirror: contract events into PostgreSQL, through reorgs, crashes and bad RPC answers."""
