"""Operator actions (deploy, verify, demo data, project admin) shared by the `terra` command and ape scripts."""
