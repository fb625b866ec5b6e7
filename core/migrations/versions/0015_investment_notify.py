"""investment and address notify: every status change of an investment (and its creation) is announced on the
`terra_investments` channel, whichever code path wrote it (core.investments.set_status, the relayer's bulk
statements), and a user's custodial address being set or a wallet linked or unlinked on `terra_addresses`, so API
replicas can push the investor's portfolio

One statement-level trigger on `investment_status_history` (every path writes a history row), with the users and
paying wallets concerned as payload; `{"all": true}` when they do not fit PostgreSQL's 8000-byte limit
(core/db/notify.py reads it). NOTIFY is delivered at commit, never for a transaction that rolled back.

Revision ID: 0015
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION terra_notify_investments() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            payload text;
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM changed) THEN
                RETURN NULL;
            END IF;
            SELECT json_build_object(
                       'users', COALESCE(json_agg(DISTINCT i.investor_user_id)
                                         FILTER (WHERE i.investor_user_id IS NOT NULL), '[]'::json),
                       'wallets', COALESCE(json_agg(DISTINCT i.investor_wallet)
                                           FILTER (WHERE i.investor_wallet IS NOT NULL), '[]'::json)
                   )::text
              INTO payload
              FROM changed c JOIN investments i ON i.id = c.investment_id;
            IF octet_length(payload) > 7900 THEN
                payload := json_build_object('all', true)::text;
            END IF;
            PERFORM pg_notify('terra_investments', payload);
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER investment_status_notify
        AFTER INSERT ON investment_status_history
        REFERENCING NEW TABLE AS changed
        FOR EACH STATEMENT EXECUTE FUNCTION terra_notify_investments()
        """
    )
    # A user's addresses (the custodial one once derived, linked wallets): their portfolio reads other balances now.
    op.execute(
        """
        CREATE FUNCTION terra_notify_addresses() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('terra_addresses', json_build_object(
                'users', json_build_array(CASE WHEN TG_OP = 'DELETE' THEN OLD.user_id ELSE NEW.user_id END))::text);
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER custodial_address_notify
        AFTER INSERT OR UPDATE OF address ON custodial_accounts
        FOR EACH ROW WHEN (NEW.address IS NOT NULL) EXECUTE FUNCTION terra_notify_addresses()
        """
    )
    op.execute(
        """
        CREATE TRIGGER user_wallet_notify
        AFTER INSERT OR DELETE OR UPDATE OF user_id ON user_wallets
        FOR EACH ROW EXECUTE FUNCTION terra_notify_addresses()
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS user_wallet_notify ON user_wallets")
    op.execute("DROP TRIGGER IF EXISTS custodial_address_notify ON custodial_accounts")
    op.execute("DROP FUNCTION IF EXISTS terra_notify_addresses()")
    op.execute("DROP TRIGGER IF EXISTS investment_status_notify ON investment_status_history")
    op.execute("DROP FUNCTION IF EXISTS terra_notify_investments()")
