"""Subscriptions, deliveries, outbox and inbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from shared.migration_ops import create_inbox, create_outbox

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None
SCHEMA = "notifications"


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("subscription_id", sa.Uuid(), primary_key=True),
        sa.Column("agency_id", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("event_types", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("secret_ciphertext", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("subscriptions_agency", "subscriptions", ["agency_id"], schema=SCHEMA)
    op.create_table(
        "deliveries",
        sa.Column("delivery_id", sa.Uuid(), primary_key=True),
        sa.Column(
            "subscription_id",
            sa.Uuid(),
            sa.ForeignKey(f"{SCHEMA}.subscriptions.subscription_id"),
            nullable=False,
        ),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("subscription_id", "event_id", name="deliveries_subscription_event"),
        sa.CheckConstraint("status IN ('pending', 'delivered', 'dead')", name="deliveries_status"),
        schema=SCHEMA,
    )
    op.create_index(
        "deliveries_due", "deliveries", ["next_attempt_at"], schema=SCHEMA,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index("deliveries_log", "deliveries", ["subscription_id", "created_at"], schema=SCHEMA)
    create_outbox(SCHEMA)
    create_inbox(SCHEMA)


def downgrade() -> None:
    op.drop_table("inbox", schema=SCHEMA)
    op.drop_table("outbox", schema=SCHEMA)
    op.drop_table("deliveries", schema=SCHEMA)
    op.drop_table("subscriptions", schema=SCHEMA)
