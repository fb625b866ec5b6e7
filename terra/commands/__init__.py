"""One module per `terra` command group."""
