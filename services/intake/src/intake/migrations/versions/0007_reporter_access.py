"""The reporter's way back to their report: a slow hash of the one-time code each public report is given (never
the code itself), and the stage each referral has reached, so the reporter can see whether the report was
received, referred and is being handled.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

from shared.migration_ops import protect_table, unprotect_table

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None
SCHEMA = "intake"


def upgrade() -> None:
    op.create_table(
        "reporter_codes",
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.cases.case_id"), primary_key=True),
        sa.Column("code_hash", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    # Only the service reads the hashes (when a reporter asks); whoever may report may add one with the report.
    protect_table(SCHEMA, "reporter_codes", read="false", insert="intake.actor_user_id() IS NOT NULL")
    # Null for referrals recorded before this revision: they count as referred.
    op.add_column("case_access", sa.Column("stage", sa.Text(), nullable=True), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("case_access", "stage", schema=SCHEMA)
    unprotect_table(SCHEMA, "reporter_codes")
    op.drop_table("reporter_codes", schema=SCHEMA)
