"""Prometheus metrics of the relayer, served at the webhook server's /metrics."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

WEBHOOKS = Counter("terra_relayer_webhooks_total", "Stripe webhook requests by answer.", ["result"])
EVENTS_PROCESSED = Counter(
    "terra_relayer_stripe_events_processed_total", "Stored Stripe events processed.", ["outcome"]
)
CRYPTO_PAYMENTS = Counter("terra_relayer_crypto_payments_total", "Final PaymentReceived judged.", ["outcome"])
MINT_INTENTS = Counter("terra_relayer_mint_intents_total", "Mint intents handed to the transaction manager.")
MINT_BATCH_SIZE = Histogram(
    "terra_relayer_mint_batch_size", "Mints per mintInvestmentBatch transaction.", buckets=(1, 2, 5, 10, 20, 50, 100)
)
MINTS_FAILED = Counter("terra_relayer_mints_failed_total", "Mints that reverted for good (investment failed).")
RECONCILE = Gauge("terra_relayer_reconcile_findings", "Findings of the last reconcile run, by kind.", ["kind"])
RECONCILE_RUNS = Counter("terra_relayer_reconcile_runs_total", "Reconcile runs.")
JOB_ERRORS = Counter("terra_relayer_job_errors_total", "Worker passes that failed (retried on the next pass).", ["job"])
DISTRIBUTIONS = Counter("terra_relayer_distributions_total", "Distributions moved to a status.", ["status"])
FUNDS_SHORT = Gauge(
    "terra_relayer_distributions_waiting_for_funds",
    "Distributions on chain left unfunded by the last pass: the relayer's stablecoin balance is short.",
)
CLAIM_BATCH_SIZE = Histogram(
    "terra_relayer_claim_batch_size", "Custodial claims per claim transaction.", buckets=(1, 2, 5, 10, 20, 50, 100)
)
LEAF_CLAIMS_FAILED = Counter("terra_relayer_claims_failed_total", "Custodial claims that reverted for good.")
