"""Investments: POST /investments (KYC, minimum, capacity with reservations, the Regulation Crowdfunding limit,
then a Stripe PaymentIntent or crypto payment instructions), the caller's list and detail, the investor profile."""
