"""Versioned rule sets, the cases routing has seen (to re-route on decline), the referral lifecycle, and durable
SLA timers.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from shared.migration_ops import protect_table, unprotect_table

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None
SCHEMA = "routing"
SIGNED_IN_ROLES = (
    "operator", "agency_staff", "agency_supervisor", "district_supervisor", "province_admin", "auditor"
)


def upgrade() -> None:
    for column in (
        sa.Column("rule_set_version", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_service_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replaces_referral_id", sa.Uuid(), nullable=True),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("services_given", ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
    ):
        op.add_column("referrals", column, schema=SCHEMA)

    op.create_table(
        "rule_sets",
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    signed_in = " OR ".join(f"routing.actor_has_role('{role}')" for role in SIGNED_IN_ROLES)
    protect_table(SCHEMA, "rule_sets", read=signed_in, insert="routing.actor_has_role('province_admin')")

    op.create_table(
        "cases",
        sa.Column("case_id", sa.Uuid(), primary_key=True),
        sa.Column("document", JSONB(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("services_completed_at", sa.DateTime(timezone=True), nullable=True),
        schema=SCHEMA,
    )
    protect_table(SCHEMA, "cases", read="false")  # the service's own memory of what it routed

    op.create_table(
        "sla_timers",
        sa.Column("referral_id", sa.Uuid(), primary_key=True),
        sa.Column("deadline", sa.Text(), primary_key=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        schema=SCHEMA,
    )
    op.create_index(
        "sla_timers_due", "sla_timers", ["due_at"], schema=SCHEMA, postgresql_where=sa.text("fired_at IS NULL")
    )
    protect_table(SCHEMA, "sla_timers", read="false")


def downgrade() -> None:
    for table in ("sla_timers", "cases", "rule_sets"):
        unprotect_table(SCHEMA, table)
        op.drop_table(table, schema=SCHEMA)
    for column in ("updated_at", "services_given", "status_reason", "replaces_referral_id", "first_service_by",
                   "accept_by", "rule_set_version"):
        op.drop_column("referrals", column, schema=SCHEMA)
