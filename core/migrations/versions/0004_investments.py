"""investments and their history, custodial accounts, Stripe events, crypto payments seen, flags, outbox intents

The relayer's tables under plain names (the chain mirror's are chain_*). Every row is keyed so that replaying what
caused it adds nothing: a Stripe event by its id, a crypto payment by (chain, reference, payer), one mint intent per
investment, one allowlist intent per account, one clawback per investment.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('crypto_payments_seen',
    sa.Column('chain_id', sa.BigInteger(), nullable=False),
    sa.Column('payment_ref', sa.String(length=66, collation='C'), nullable=False),
    sa.Column('payer', sa.String(length=42, collation='C'), nullable=False),
    sa.Column('investment_id', sa.Uuid(), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('chain_id', 'payment_ref', 'payer', name='pk_crypto_payments_seen')
    )
    op.create_table('custodial_accounts',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('account_index', sa.Integer(), sa.Identity(always=False, start=1), nullable=False),
    sa.Column('address', sa.String(length=42, collation='C'), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_custodial_accounts')),
    sa.UniqueConstraint('account_index', name=op.f('uq_custodial_accounts_account_index')),
    sa.UniqueConstraint('address', name=op.f('uq_custodial_accounts_address'))
    )
    op.create_table('investments',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('chain_id', sa.BigInteger(), nullable=False),
    sa.Column('investor_user_id', sa.Uuid(), nullable=True),
    sa.Column('investor_wallet', sa.String(length=42, collation='C'), nullable=True),
    sa.Column('project_id', sa.Numeric(precision=78, scale=0), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), server_default='usd', nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('payment_ref', sa.String(length=66, collation='C'), nullable=False),
    sa.Column('status', sa.String(length=20), server_default='pending_payment', nullable=False),
    sa.Column('recipient', sa.String(length=42, collation='C'), nullable=True),
    sa.Column('stripe_payment_intent_id', sa.Text(), nullable=True),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paid_amount_cents', sa.BigInteger(), nullable=True),
    sa.Column('payment_failures', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_failure', sa.Text(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('refunded_cents', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('dispute_id', sa.Text(), nullable=True),
    sa.Column('dispute_status', sa.String(length=8), nullable=True),
    sa.Column('failure_reason', sa.Text(), nullable=True),
    sa.Column('mint_tx_hash', sa.String(length=66, collation='C'), nullable=True),
    sa.Column('mint_block', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("dispute_status IS NULL OR dispute_status IN ('open', 'won', 'lost')", name=op.f('ck_investments_dispute_known')),
    sa.CheckConstraint("method IN ('card', 'crypto')", name=op.f('ck_investments_method_known')),
    sa.CheckConstraint("status IN ('pending_payment', 'paid', 'minting', 'completed', 'final', 'failed', 'cancelled', 'refunded', 'disputed')", name=op.f('ck_investments_status_known')),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_investments_amount_positive')),
    sa.CheckConstraint('investor_user_id IS NOT NULL OR investor_wallet IS NOT NULL', name=op.f('ck_investments_has_investor')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_investments')),
    sa.UniqueConstraint('payment_ref', name=op.f('uq_investments_payment_ref')),
    sa.UniqueConstraint('stripe_payment_intent_id', name=op.f('uq_investments_stripe_payment_intent_id'))
    )
    op.create_index('ix_investments_investor_user_id', 'investments', ['investor_user_id'], unique=False)
    op.create_index('ix_investments_investor_wallet', 'investments', ['investor_wallet'], unique=False)
    op.create_index('ix_investments_status', 'investments', ['status'], unique=False)
    op.create_table('stripe_events',
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('type', sa.Text(), nullable=False),
    sa.Column('livemode', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('investment_id', sa.Uuid(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stripe_events'))
    )
    op.create_index('ix_stripe_events_unprocessed', 'stripe_events', ['received_at'], unique=False, postgresql_where=sa.text('processed_at IS NULL'))
    op.create_table('compliance_intents',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('account', sa.String(length=42, collation='C'), nullable=False),
    sa.Column('project_id', sa.Numeric(precision=78, scale=0), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=True),
    sa.Column('investment_id', sa.Uuid(), nullable=True),
    sa.Column('status', sa.String(length=12), server_default='pending', nullable=False),
    sa.Column('tx_id', sa.Uuid(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('allow', 'freeze', 'clawback')", name=op.f('ck_compliance_intents_kind_known')),
    sa.CheckConstraint("status IN ('pending', 'submitted', 'done', 'cancelled', 'failed')", name=op.f('ck_compliance_intents_status_known')),
    sa.ForeignKeyConstraint(['investment_id'], ['investments.id'], name=op.f('fk_compliance_intents_investment_id_investments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_compliance_intents'))
    )
    op.create_index('ix_compliance_intents_pending', 'compliance_intents', ['id'], unique=False, postgresql_where=sa.text("status = 'pending'"))
    op.create_index('uq_compliance_intents_allow', 'compliance_intents', ['account'], unique=True, postgresql_where=sa.text("kind = 'allow'"))
    op.create_index('uq_compliance_intents_clawback', 'compliance_intents', ['investment_id'], unique=True, postgresql_where=sa.text("kind = 'clawback'"))
    op.create_table('investment_status_history',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('investment_id', sa.Uuid(), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('cause', sa.Text(), nullable=False),
    sa.Column('details', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.ForeignKeyConstraint(['investment_id'], ['investments.id'], name=op.f('fk_investment_status_history_investment_id_investments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_investment_status_history'))
    )
    op.create_index('ix_investment_status_history_investment_id', 'investment_status_history', ['investment_id', 'id'], unique=False)
    op.create_table('mint_intents',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('investment_id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Numeric(precision=78, scale=0), nullable=False),
    sa.Column('recipient', sa.String(length=42, collation='C'), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('payment_ref', sa.String(length=66, collation='C'), nullable=False),
    sa.Column('status', sa.String(length=12), server_default='pending', nullable=False),
    sa.Column('alone', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('tx_id', sa.Uuid(), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'submitted', 'done', 'cancelled', 'failed')", name=op.f('ck_mint_intents_status_known')),
    sa.ForeignKeyConstraint(['investment_id'], ['investments.id'], name=op.f('fk_mint_intents_investment_id_investments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mint_intents')),
    sa.UniqueConstraint('investment_id', name=op.f('uq_mint_intents_investment_id')),
    sa.UniqueConstraint('payment_ref', name=op.f('uq_mint_intents_payment_ref'))
    )
    op.create_index('ix_mint_intents_pending', 'mint_intents', ['id'], unique=False, postgresql_where=sa.text("status = 'pending'"))
    op.create_table('payment_flags',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('investment_id', sa.Uuid(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('source_ref', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('details', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['investment_id'], ['investments.id'], name=op.f('fk_payment_flags_investment_id_investments'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_flags')),
    sa.UniqueConstraint('source', 'source_ref', 'reason', name='uq_payment_flags_source_ref_reason')
    )


def downgrade() -> None:
    op.drop_table('payment_flags')
    op.drop_index('ix_mint_intents_pending', table_name='mint_intents', postgresql_where=sa.text("status = 'pending'"))
    op.drop_table('mint_intents')
    op.drop_index('ix_investment_status_history_investment_id', table_name='investment_status_history')
    op.drop_table('investment_status_history')
    op.drop_index('uq_compliance_intents_clawback', table_name='compliance_intents', postgresql_where=sa.text("kind = 'clawback'"))
    op.drop_index('uq_compliance_intents_allow', table_name='compliance_intents', postgresql_where=sa.text("kind = 'allow'"))
    op.drop_index('ix_compliance_intents_pending', table_name='compliance_intents', postgresql_where=sa.text("status = 'pending'"))
    op.drop_table('compliance_intents')
    op.drop_index('ix_stripe_events_unprocessed', table_name='stripe_events', postgresql_where=sa.text('processed_at IS NULL'))
    op.drop_table('stripe_events')
    op.drop_index('ix_investments_status', table_name='investments')
    op.drop_index('ix_investments_investor_wallet', table_name='investments')
    op.drop_index('ix_investments_investor_user_id', table_name='investments')
    op.drop_table('investments')
    op.drop_table('custodial_accounts')
    op.drop_table('crypto_payments_seen')
