"""Operator actions (deploy, verify, demo data, project admin) shared by the `terra` command and ape scripts."""

from collections.abc import Callable

# Where an operation says what it did: rich console, click.echo in ape scripts, or nothing in tests.
Report = Callable[[str], None]
