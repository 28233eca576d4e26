from shared.migrations import run_migrations
from workspace.adapters.tables import metadata

run_migrations(metadata)
