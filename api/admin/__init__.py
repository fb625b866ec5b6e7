"""Administrator routes, each behind a permission (require_permission)."""
