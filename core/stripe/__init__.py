"""Stripe as the API and the relayer both use it: settings, the SDK client (real Stripe, or the local fake in test
mode), Stripe-shaped event payloads and the webhook signature. No service code: terra/ and the services call it."""
