"""A case's district (kecamatan): ``case.reported`` and ``case.updated`` now carry ``district_code`` (optional), so
statistics can count by it (``group_by=district``). Cases already projected stay NULL (counted as "unknown"):
the events that stated their facts carried no district.

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
SCHEMA = "reporting"


def upgrade() -> None:
    op.add_column("case_facts", sa.Column("district_code", sa.Text(), nullable=True), schema=SCHEMA)
    op.create_index("ix_reporting_case_facts_district_code", "case_facts", ["district_code"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_index("ix_reporting_case_facts_district_code", table_name="case_facts", schema=SCHEMA)
    op.drop_column("case_facts", "district_code", schema=SCHEMA)
