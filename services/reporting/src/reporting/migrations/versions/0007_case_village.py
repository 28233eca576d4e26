"""A case's village (desa/kelurahan): ``case.reported`` and ``case.updated`` carry ``village_code`` (optional), so
statistics can count by it (``group_by=village``) and the SIMFONI export can name it. Cases already projected stay
NULL (counted as "unknown") until their next event states their facts again.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None
SCHEMA = "reporting"


def upgrade() -> None:
    op.add_column("case_facts", sa.Column("village_code", sa.Text(), nullable=True), schema=SCHEMA)
    op.create_index("ix_reporting_case_facts_village_code", "case_facts", ["village_code"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_index("ix_reporting_case_facts_village_code", table_name="case_facts", schema=SCHEMA)
    op.drop_column("case_facts", "village_code", schema=SCHEMA)
