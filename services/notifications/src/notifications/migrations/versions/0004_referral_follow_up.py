"""Access follows the referral: when each known referral entered its status, and whether routing revoked it
because its case closed, so that a completed referral (or one closed with its case) keeps hearing of the case for
the follow-up period only (``shared.referral_access``).

Referrals known before this revision start their follow-up period now: when they entered their status was not
kept, and ending it early would silence an agency that may still be owed a case's closure.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None
SCHEMA = "notifications"


def upgrade() -> None:
    op.add_column("known_referrals", sa.Column("status_since", sa.DateTime(timezone=True), nullable=False,
                                               server_default=sa.func.now()), schema=SCHEMA)
    op.add_column("known_referrals", sa.Column("closed_with_case", sa.Boolean(), nullable=False,
                                               server_default=sa.false()), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("known_referrals", "closed_with_case", schema=SCHEMA)
    op.drop_column("known_referrals", "status_since", schema=SCHEMA)
