"""chain_frozen: ERC-7943 frozen amounts per (project, account), mirrored from the ownership contract's Frozen events

Last-writer state like chain_allowlist: the newest Frozen event per key holds the absolute amount (possibly above the
balance, 0 once released) with the block and log index that set it. ForcedTransfer events need no table of their
own: they stay in chain_events, and the units they move are in the TransferSingle the balances already fold.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ADDRESS = sa.String(42, collation="C")
UINT256 = sa.Numeric(78, 0)


def upgrade() -> None:
    op.create_table(
        "chain_frozen",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("project_id", UINT256, nullable=False),
        sa.Column("account", ADDRESS, nullable=False),
        sa.Column("amount", UINT256, nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "project_id", "account", name="pk_chain_frozen"),
        sa.CheckConstraint("amount >= 0", name="ck_chain_frozen_non_negative"),
    )


def downgrade() -> None:
    op.drop_table("chain_frozen")
