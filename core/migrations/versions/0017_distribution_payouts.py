"""distribution payouts: the relayer's transactions per distribution (record, approve, fund) and per custodial leaf
(claim), and `chain_claims`, the Distributor's Claimed events as rows (a view over chain_events, so a reorg that
removes an event removes its claim with it)

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0013"
branch_labels = None
depends_on = None

TX_COLUMNS = ("record_tx_id", "approve_tx_id", "fund_tx_id")

CHAIN_CLAIMS = """
CREATE VIEW chain_claims AS
SELECT chain_id,
       contract,
       (args->>'distribution_id')::numeric(78, 0) AS distribution_id,
       args->>'account' AS account,
       (args->>'amount')::numeric(78, 0) AS amount,
       block_number,
       block_hash,
       tx_hash,
       log_index,
       block_time,
       final
  FROM chain_events
 WHERE event_name = 'Claimed'
"""


def upgrade() -> None:
    for column in TX_COLUMNS:
        op.add_column("distributions", sa.Column(column, sa.Uuid(), nullable=True))
        op.create_foreign_key(
            op.f(f"fk_distributions_{column}_relayer_transactions"),
            "distributions",
            "relayer_transactions",
            [column],
            ["id"],
        )
    op.add_column("user_distributions", sa.Column("claim_tx_id", sa.Uuid(), nullable=True))
    op.add_column(
        "user_distributions",
        sa.Column("claim_alone", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.add_column("user_distributions", sa.Column("claim_error", sa.Text(), nullable=True))
    op.create_foreign_key(
        op.f("fk_user_distributions_claim_tx_id_relayer_transactions"),
        "user_distributions",
        "relayer_transactions",
        ["claim_tx_id"],
        ["id"],
    )
    # A distribution's Distributor events (funded, claims, sweep) without reading every other event of the chain.
    op.execute(
        "CREATE INDEX ix_chain_events_distributor ON chain_events "
        "(chain_id, ((args->>'distribution_id')::numeric(78, 0)), (args->>'account')) "
        "WHERE event_name IN ('DistributionFunded', 'Claimed', 'Swept')"
    )
    op.execute(CHAIN_CLAIMS)


def downgrade() -> None:
    op.execute("DROP VIEW chain_claims")
    op.execute("DROP INDEX ix_chain_events_distributor")
    op.drop_constraint(
        op.f("fk_user_distributions_claim_tx_id_relayer_transactions"), "user_distributions", type_="foreignkey"
    )
    for column in ("claim_error", "claim_alone", "claim_tx_id"):
        op.drop_column("user_distributions", column)
    for column in reversed(TX_COLUMNS):
        op.drop_constraint(op.f(f"fk_distributions_{column}_relayer_transactions"), "distributions", type_="foreignkey")
        op.drop_column("distributions", column)
