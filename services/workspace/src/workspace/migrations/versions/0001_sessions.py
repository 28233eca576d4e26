"""The people's sessions (server-side, encrypted), outbox and inbox.

Revision ID: 0001
Revises:
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from shared.migration_ops import create_inbox, create_outbox

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None
SCHEMA = "workspace"


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("key_hash", sa.LargeBinary(), nullable=False, unique=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_workspace_sessions_last_seen_at", "sessions", ["last_seen_at"], schema=SCHEMA)
    create_outbox(SCHEMA)
    create_inbox(SCHEMA)


def downgrade() -> None:
    op.drop_table("inbox", schema=SCHEMA)
    op.drop_table("outbox", schema=SCHEMA)
    op.drop_table("sessions", schema=SCHEMA)
