"""Local stand-ins started by `terra dev` and the tests: anvil and the embedded services."""
