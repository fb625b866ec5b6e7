"""Real-time pushes: one LISTEN connection per API process (`listener`), fanned out to this process's portfolio
WebSockets (`hub`), so that any replica pushes whatever the indexer or the relayer committed."""
