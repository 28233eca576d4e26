"""The agency each case update's author acted for, so that notes are shown with who wrote them and for which
agency (``GET /v1/cases/{case_id}/notes``).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None
SCHEMA = "intake"


def upgrade() -> None:
    op.add_column("case_updates", sa.Column("updated_by_agency", sa.Text(), nullable=True), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("case_updates", "updated_by_agency", schema=SCHEMA)
