"""Email notifications: an outbox filled by a job that finds what to tell, drained by a sender over SMTP."""
