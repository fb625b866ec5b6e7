"""kyc: identity checks of users (the seed's kyc_records) and the KYC provider's webhook events, stored once each

Revision ID: 0012
Revises: 0018
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kyc_records",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=50), server_default="onfido", nullable=False),
        sa.Column("provider_applicant_id", sa.String(length=255), nullable=False),
        sa.Column("provider_check_id", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=50), server_default="submitted", nullable=False),
        sa.Column("verification_data", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("status IN ('submitted', 'verified', 'rejected')", name=op.f("ck_kyc_records_status_known")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_kyc_records_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kyc_records")),
        sa.UniqueConstraint("provider_check_id", name=op.f("uq_kyc_records_provider_check_id")),
    )
    op.create_index("ix_kyc_records_user_id", "kyc_records", ["user_id", "created_at"], unique=False)
    op.create_index(
        "uq_kyc_records_one_submitted",
        "kyc_records",
        ["user_id"],
        unique=True,
        postgresql_where=sa.text("status = 'submitted'"),
    )
    op.create_table(
        "kyc_webhook_events",
        sa.Column("provider", sa.String(length=50), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("resource_type", sa.String(length=50), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("object_id", sa.String(length=255), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("kyc_record_id", sa.Uuid(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["kyc_record_id"],
            ["kyc_records.id"],
            name=op.f("fk_kyc_webhook_events_kyc_record_id_kyc_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("provider", "event_id", name="pk_kyc_webhook_events"),
    )


def downgrade() -> None:
    op.drop_table("kyc_webhook_events")
    op.drop_index(
        "uq_kyc_records_one_submitted", table_name="kyc_records", postgresql_where=sa.text("status = 'submitted'")
    )
    op.drop_index("ix_kyc_records_user_id", table_name="kyc_records")
    op.drop_table("kyc_records")
