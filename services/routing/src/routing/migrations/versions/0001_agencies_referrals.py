"""Agency directory, referrals, outbox and inbox.

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
SCHEMA = "routing"


def upgrade() -> None:
    op.create_table(
        "agencies",
        sa.Column("agency_id", sa.Text(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("alternate_name", sa.Text(), nullable=True),
        sa.Column("agency_type", sa.Text(), nullable=False),
        sa.Column("level", sa.Text(), nullable=False),
        sa.Column("province_code", sa.Text(), nullable=True, index=True),
        sa.Column("regency_code", sa.Text(), nullable=True, index=True),
        sa.Column("services", postgresql.ARRAY(sa.Text()), nullable=False, server_default="{}"),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(
            "(level = 'national' AND province_code IS NULL AND regency_code IS NULL)"
            " OR (level = 'province' AND province_code IS NOT NULL AND regency_code IS NULL)"
            " OR (level = 'regency' AND province_code IS NOT NULL AND regency_code IS NOT NULL)",
            name="agencies_service_area_matches_level",
        ),
        schema=SCHEMA,
    )
    op.create_table(
        "referrals",
        sa.Column("referral_id", sa.Uuid(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Text(), nullable=False, index=True),
        sa.Column("agency_name", sa.Text(), nullable=False),
        sa.Column("agency_type", sa.Text(), nullable=False),
        sa.Column("is_lead", sa.Boolean(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("province_code", sa.Text(), nullable=False),
        sa.Column("regency_code", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("case_id", "agency_id", name="referrals_case_agency_key"),
        schema=SCHEMA,
    )
    create_outbox(SCHEMA)
    create_inbox(SCHEMA)


def downgrade() -> None:
    op.drop_table("inbox", schema=SCHEMA)
    op.drop_table("outbox", schema=SCHEMA)
    op.drop_table("referrals", schema=SCHEMA)
    op.drop_table("agencies", schema=SCHEMA)
