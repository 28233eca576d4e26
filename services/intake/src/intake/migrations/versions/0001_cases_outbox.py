"""Cases, case numbering, outbox and inbox.

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
SCHEMA = "intake"


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("case_id", sa.Uuid(), primary_key=True),
        sa.Column("case_number", sa.Text(), nullable=False, unique=True),
        sa.Column("province_code", sa.Text(), nullable=False, index=True),
        sa.Column("regency_code", sa.Text(), nullable=False, index=True),
        sa.Column("violence_types", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("victim_sex", sa.Text(), nullable=False),
        sa.Column("victim_age", sa.Integer(), nullable=True),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("narrative_ciphertext", sa.Text(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "case_number_counters",
        sa.Column("regency_code", sa.Text(), primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("last_number", sa.Integer(), nullable=False),
        schema=SCHEMA,
    )
    create_outbox(SCHEMA)
    create_inbox(SCHEMA)


def downgrade() -> None:
    op.drop_table("inbox", schema=SCHEMA)
    op.drop_table("outbox", schema=SCHEMA)
    op.drop_table("case_number_counters", schema=SCHEMA)
    op.drop_table("cases", schema=SCHEMA)
