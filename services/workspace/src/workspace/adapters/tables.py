"""The workspace's tables, in its own schema: the people's sessions (and the outbox and inbox every service
has; the workspace publishes and deduplicates nothing yet, and keeps them so it runs in the same shell)."""

import sqlalchemy as sa

from shared.db import service_registry
from shared.service import define_messaging_tables

metadata = service_registry("workspace").metadata

# A session is found by the SHA-256 of its cookie, so the table holds no key a browser could present; its data
# (the tokens, the person's claims, the sign-in's state) is one ciphertext bound to the row's id.
sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("key_hash", sa.LargeBinary(), nullable=False, unique=True),
    sa.Column("data", sa.Text(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
)

outbox, inbox = define_messaging_tables(metadata)
