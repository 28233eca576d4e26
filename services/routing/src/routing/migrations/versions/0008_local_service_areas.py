"""An agency's service area may be one kecamatan or one desa of its regency (a Puskesmas, a Satgas PPA, a PUSPAGA).

``agencies`` gets ``district_code`` and ``village_code``: both empty for an agency serving its whole regency,
province or the country; a kecamatan, or a desa with its kecamatan, for a regency agency serving only that. The
check keeps them inside the agency's regency (the domain also checks them against ``shared.regions``).

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
SCHEMA = "routing"
LOCAL_AREA_IN_REGENCY = (
    "(district_code IS NULL AND village_code IS NULL)"
    " OR (level = 'regency' AND district_code IS NOT NULL AND starts_with(district_code, regency_code || '.')"
    " AND (village_code IS NULL OR starts_with(village_code, district_code || '.')))"
)


def upgrade() -> None:
    op.add_column("agencies", sa.Column("district_code", sa.Text(), nullable=True), schema=SCHEMA)
    op.add_column("agencies", sa.Column("village_code", sa.Text(), nullable=True), schema=SCHEMA)
    op.create_check_constraint("agencies_local_area_in_regency", "agencies", LOCAL_AREA_IN_REGENCY, schema=SCHEMA)


def downgrade() -> None:
    op.drop_constraint("agencies_local_area_in_regency", "agencies", schema=SCHEMA)
    op.drop_column("agencies", "village_code", schema=SCHEMA)
    op.drop_column("agencies", "district_code", schema=SCHEMA)
