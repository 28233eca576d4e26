"""The district supervisor's view and hand: when each referral was accepted (for the median time to accept per
agency) and who made a referral by hand (a manual referral or a lead handover; null for a rule's).

Referrals accepted before: their acceptance was their last change while they are still accepted, so
``updated_at`` is kept as ``accepted_at`` for them; those that moved on since lost it and stay out of the median.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None
SCHEMA = "routing"


def upgrade() -> None:
    op.add_column("referrals", sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True), schema=SCHEMA)
    op.add_column("referrals", sa.Column("requested_by", sa.Text(), nullable=True), schema=SCHEMA)
    op.execute(f"UPDATE {SCHEMA}.referrals SET accepted_at = updated_at WHERE status = 'accepted'")


def downgrade() -> None:
    op.drop_column("referrals", "requested_by", schema=SCHEMA)
    op.drop_column("referrals", "accepted_at", schema=SCHEMA)
