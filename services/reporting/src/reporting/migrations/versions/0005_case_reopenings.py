"""A reopened case is the same case, open again: each case's latest reopening (case_reopenings), beside its latest
closure; the case is closed while the closure is the later. Visible with the case, as the closures are.

Until now the first closure read was kept; from now on the latest is (so a case closed, reopened and closed again
reads as closed). Cases closed once, the only kind so far, read the same.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from shared.migration_ops import protect_table, unprotect_table

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None
SCHEMA = "reporting"

# Visible with a case fact the actor may see (the subquery is itself under case_facts' policy).
WITH_VISIBLE_CASE = "EXISTS (SELECT 1 FROM reporting.case_facts f WHERE f.case_id = reporting.case_reopenings.case_id)"


def upgrade() -> None:
    op.create_table(
        "case_reopenings",
        sa.Column("case_id", sa.Uuid(), primary_key=True),
        sa.Column("reopened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        schema=SCHEMA,
    )
    protect_table(SCHEMA, "case_reopenings", read=WITH_VISIBLE_CASE)


def downgrade() -> None:
    unprotect_table(SCHEMA, "case_reopenings")
    op.drop_table("case_reopenings", schema=SCHEMA)
