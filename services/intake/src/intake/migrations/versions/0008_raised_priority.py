"""A priority an operator raised (``POST /v1/cases/{case_id}/priority``), kept apart from triage's own, so that a
later correction, which triages the record again, never lowers it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None
SCHEMA = "intake"


def upgrade() -> None:
    op.add_column("cases", sa.Column("priority_raised_to", sa.Text(), nullable=True), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("cases", "priority_raised_to", schema=SCHEMA)
