from shared.migrations import run_migrations

from intake.adapters.tables import metadata

run_migrations(metadata)
