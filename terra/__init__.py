"""The composition root: the `terra` command and the local stack; the only place that imports several services."""
