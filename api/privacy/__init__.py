"""Privacy: the user's data export and account erasure (GDPR articles 15, 17 and 20)."""
