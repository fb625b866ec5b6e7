"""A user's holdings across their custodial address and linked wallets, and the returns distributed to them, read
from the chain mirror; `api/ws` pushes the same portfolio over a WebSocket when the index or an investment moves."""
