"""The referral list filtered by status reads only referrals of that status: one more index per audience,
(scope, status, priority, running deadline, id).

Without it a status filter walked the list's index (0006) and dropped every referral of another status on the
way. Most of a year's referrals are done, and each has no running deadline ('infinity', at the end of its range),
so asking for the few waiting in the queue read every done referral of the agency, regency or province: the time
grew with the history (38 ms for a regency's 14,000 referrals, 84 ms for a province's 44,000).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None
SCHEMA = "routing"
LIST_ORDER = ["priority", "running_deadline", "referral_id"]
SCOPES = ("agency_id", "regency_code", "province_code")


def upgrade() -> None:
    for scope in SCOPES:
        op.create_index(f"referrals_list_by_{scope}_status", "referrals", [scope, "status", *LIST_ORDER],
                        schema=SCHEMA)


def downgrade() -> None:
    for scope in SCOPES:
        op.drop_index(f"referrals_list_by_{scope}_status", "referrals", schema=SCHEMA)
