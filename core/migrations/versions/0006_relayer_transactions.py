"""relayer transactions: the transaction manager's rows (stored before signing) and signed attempts (before broadcast)

- relayer_transactions: one row per intended call; (sender, nonce) unique where a nonce is set, so a nonce is held by
  one transaction only; `seq` is the queue order in which nonces are handed out.
- relayer_transaction_attempts: every signed transaction at a row's nonce (first send, fee bumps, a cancelling
  self-transfer) with its raw bytes, so that after a crash every hash that could be mined is known and can be resent.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "relayer_transactions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("sender", sa.String(length=42, collation="C"), nullable=False),
        sa.Column("to_address", sa.String(length=42, collation="C"), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("value", sa.Numeric(precision=78, scale=0), server_default=sa.text("0"), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("gas_limit", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("nonce", sa.BigInteger(), nullable=True),
        sa.Column("current_hash", sa.String(length=66, collation="C"), nullable=True),
        sa.Column("mined_hash", sa.String(length=66, collation="C"), nullable=True),
        sa.Column("block_number", sa.BigInteger(), nullable=True),
        sa.Column("block_hash", sa.String(length=66, collation="C"), nullable=True),
        sa.Column("gas_used", sa.BigInteger(), nullable=True),
        sa.Column("revert_reason", sa.Text(), nullable=True),
        sa.Column("revert_data", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("broadcast_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mined_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("final_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'signed', 'broadcast', 'mined', 'final', 'reverted', 'cancelled', 'dropped')",
            name=op.f("ck_relayer_transactions_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relayer_transactions")),
        sa.UniqueConstraint("seq", name=op.f("uq_relayer_transactions_seq")),
    )
    op.create_index(
        "ix_relayer_transactions_sender_status_seq", "relayer_transactions", ["sender", "status", "seq"], unique=False
    )
    op.create_index(
        "uq_relayer_transactions_sender_nonce",
        "relayer_transactions",
        ["sender", "nonce"],
        unique=True,
        postgresql_where=sa.text("nonce IS NOT NULL"),
    )
    op.create_table(
        "relayer_transaction_attempts",
        sa.Column("tx_hash", sa.String(length=66, collation="C"), nullable=False),
        sa.Column("transaction_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("max_fee_per_gas", sa.Numeric(precision=78, scale=0), nullable=False),
        sa.Column("max_priority_fee_per_gas", sa.Numeric(precision=78, scale=0), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("broadcast_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('call', 'cancel')", name=op.f("ck_relayer_transaction_attempts_kind")),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["relayer_transactions.id"],
            name=op.f("fk_relayer_transaction_attempts_transaction_id_relayer_transactions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tx_hash", name=op.f("pk_relayer_transaction_attempts")),
    )
    op.create_index(
        op.f("ix_relayer_transaction_attempts_transaction_id"),
        "relayer_transaction_attempts",
        ["transaction_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_relayer_transaction_attempts_transaction_id"), table_name="relayer_transaction_attempts")
    op.drop_table("relayer_transaction_attempts")
    op.drop_index(
        "uq_relayer_transactions_sender_nonce",
        table_name="relayer_transactions",
        postgresql_where=sa.text("nonce IS NOT NULL"),
    )
    op.drop_index("ix_relayer_transactions_sender_status_seq", table_name="relayer_transactions")
    op.drop_table("relayer_transactions")
