"""chain deployments: which chain and contracts this database mirrors

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chain_deployments",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("contract_name", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column("deploy_block", sa.BigInteger(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=True),
        sa.PrimaryKeyConstraint("chain_id", "contract_name", name=op.f("pk_chain_deployments")),
    )


def downgrade() -> None:
    op.drop_table("chain_deployments")
