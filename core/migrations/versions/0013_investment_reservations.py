"""investment reservations and investor profiles: how long an unpaid investment holds its share of a project's
capacity, and what an investor declared (income, net worth) for their Regulation Crowdfunding limit

Revision ID: 0013
Revises: 0014
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("investments", sa.Column("reserved_until", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_investments_open_by_project",
        "investments",
        ["chain_id", "project_id"],
        unique=False,
        postgresql_where=sa.text("status IN ('pending_payment', 'paid', 'minting')"),
    )
    op.create_table(
        "investor_profiles",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("annual_income_cents", sa.BigInteger(), nullable=True),
        sa.Column("net_worth_cents", sa.BigInteger(), nullable=True),
        sa.Column("declared_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "annual_income_cents IS NULL OR annual_income_cents >= 0",
            name=op.f("ck_investor_profiles_income_not_negative"),
        ),
        sa.CheckConstraint(
            "net_worth_cents IS NULL OR net_worth_cents >= 0", name=op.f("ck_investor_profiles_net_worth_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_investor_profiles_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_investor_profiles")),
    )


def downgrade() -> None:
    op.drop_table("investor_profiles")
    op.drop_index(
        "ix_investments_open_by_project",
        table_name="investments",
        postgresql_where=sa.text("status IN ('pending_payment', 'paid', 'minting')"),
    )
    op.drop_column("investments", "reserved_until")
