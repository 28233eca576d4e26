"""Case facts and their violence types (the statistics read model), outbox and inbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from shared.migration_ops import create_inbox, create_outbox

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None
SCHEMA = "reporting"


def upgrade() -> None:
    op.create_table(
        "case_facts",
        sa.Column("case_id", sa.Uuid(), primary_key=True),
        sa.Column("case_number", sa.Text(), nullable=False),
        sa.Column("province_code", sa.Text(), nullable=False),
        sa.Column("regency_code", sa.Text(), nullable=False),
        sa.Column("victim_sex", sa.Text(), nullable=False),
        sa.Column("victim_age_group", sa.Text(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_reporting_case_facts_regency_code", "case_facts", ["regency_code"], schema=SCHEMA)
    op.create_index("ix_reporting_case_facts_reported_at", "case_facts", ["reported_at"], schema=SCHEMA)
    op.create_table(
        "case_violence_types",
        sa.Column(
            "case_id",
            sa.Uuid(),
            sa.ForeignKey(f"{SCHEMA}.case_facts.case_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("violence_type", sa.Text(), primary_key=True),
        schema=SCHEMA,
    )
    create_outbox(SCHEMA)
    create_inbox(SCHEMA)


def downgrade() -> None:
    op.drop_table("inbox", schema=SCHEMA)
    op.drop_table("outbox", schema=SCHEMA)
    op.drop_table("case_violence_types", schema=SCHEMA)
    op.drop_table("case_facts", schema=SCHEMA)
