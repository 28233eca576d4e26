"""Access control and the read audit trail: row-level security on case facts (supervisors see their region)
and on the personal_data_reads trail (auditors, for the cases of their province). The rules of
reporting.domain.access.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from shared.migration_ops import create_access_functions, drop_access_functions, protect_table, unprotect_table

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None
SCHEMA = "reporting"

# Visible with a case fact the actor may see (the subquery is itself under case_facts' policy).
WITH_VISIBLE_CASE = (
    "EXISTS (SELECT 1 FROM reporting.case_facts f WHERE f.case_id = reporting.{table}.case_id)"
)


def upgrade() -> None:
    create_access_functions(SCHEMA)
    op.create_table(
        "personal_data_reads",
        sa.Column("event_id", sa.Uuid(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), nullable=False, index=True),
        sa.Column("actor_user_id", sa.Text(), nullable=False),
        sa.Column("actor_agency_id", sa.Text(), nullable=True),
        sa.Column("actor_roles", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("fields", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("endpoint", sa.Text(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    protect_table(
        SCHEMA, "case_facts", read="reporting.actor_supervises(case_facts.province_code, case_facts.regency_code)"
    )
    protect_table(SCHEMA, "case_violence_types", read=WITH_VISIBLE_CASE.format(table="case_violence_types"))
    protect_table(
        SCHEMA,
        "personal_data_reads",
        read="reporting.actor_has_role('auditor') AND "
        + WITH_VISIBLE_CASE.format(table="personal_data_reads"),
    )


def downgrade() -> None:
    for table in ("personal_data_reads", "case_violence_types", "case_facts"):
        unprotect_table(SCHEMA, table)
    op.drop_table("personal_data_reads", schema=SCHEMA)
    drop_access_functions(SCHEMA)
