"""Access control: a subscription's province, and row-level security on subscriptions and deliveries (the
rules of notifications.domain.access): an agency's people see their agency's, a province admin those of their
province.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from shared.migration_ops import create_access_functions, drop_access_functions, protect_table, unprotect_table

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None
SCHEMA = "notifications"

ADMIN = (
    "(notifications.actor_has_role('province_admin')"
    " AND notifications.subscriptions.province_code = notifications.actor_province_code())"
)
OWN = "notifications.subscriptions.agency_id = notifications.actor_agency_id()"


def upgrade() -> None:
    op.add_column("subscriptions", sa.Column("province_code", sa.Text(), nullable=True), schema=SCHEMA)
    create_access_functions(SCHEMA)
    protect_table(
        SCHEMA,
        "subscriptions",
        read=(
            f"{ADMIN} OR ((notifications.actor_has_role('agency_staff')"
            f" OR notifications.actor_has_role('agency_supervisor')) AND {OWN})"
        ),
        insert=f"{ADMIN} OR (notifications.actor_has_role('agency_supervisor') AND {OWN})",
    )
    # A delivery is visible with its subscription (the subquery is itself under the policy above).
    protect_table(
        SCHEMA,
        "deliveries",
        read=(
            "EXISTS (SELECT 1 FROM notifications.subscriptions s"
            " WHERE s.subscription_id = notifications.deliveries.subscription_id)"
        ),
    )


def downgrade() -> None:
    unprotect_table(SCHEMA, "deliveries")
    unprotect_table(SCHEMA, "subscriptions")
    drop_access_functions(SCHEMA)
    op.drop_column("subscriptions", "province_code", schema=SCHEMA)
