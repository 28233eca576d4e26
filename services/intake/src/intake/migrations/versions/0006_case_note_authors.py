"""The agency each case update's author acted for, so that notes are shown with who wrote them and for which
agency (``GET /v1/cases/{case_id}/notes``).

Named 0006 so that it may follow a 0005 of another branch: re-chain ``down_revision`` when merging.

Revision ID: 0006_case_note_authors
Revises: 0004
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_case_note_authors"
down_revision = "0004"
branch_labels = None
depends_on = None
SCHEMA = "intake"


def upgrade() -> None:
    op.add_column("case_updates", sa.Column("updated_by_agency", sa.Text(), nullable=True), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("case_updates", "updated_by_agency", schema=SCHEMA)
