"""What every Terra Lumina service shares: settings, database, ORM models, migrations and chain access."""
