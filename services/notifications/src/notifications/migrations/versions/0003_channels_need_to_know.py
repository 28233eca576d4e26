"""Channels, filters and the life of a subscription; notifications' own view of cases and referrals (for need
to know); every delivery attempt; a circuit breaker per endpoint.

Existing subscriptions become webhook subscriptions in Bahasa Indonesia; a switched-off one becomes paused; a
province admin's province becomes the subscription's region.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from shared.migration_ops import protect_table, unprotect_table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None
SCHEMA = "notifications"
S = f"{SCHEMA}.subscriptions"

AGENCY_PEOPLE = f"({SCHEMA}.actor_has_role('agency_staff') OR {SCHEMA}.actor_has_role('agency_supervisor'))"
OWN_AGENCY = f"({S}.scope = 'agency' AND {S}.agency_id = {SCHEMA}.actor_agency_id())"
PROVINCE_ADMIN = (
    f"({SCHEMA}.actor_has_role('province_admin') AND left({S}.region_code, 2) = {SCHEMA}.actor_province_code())"
)
DISTRICT_SUPERVISOR = (
    f"({SCHEMA}.actor_has_role('district_supervisor') AND {S}.scope = 'region'"
    f" AND {S}.region_code = {SCHEMA}.actor_regency_code())"
)
MANAGES = (
    f"{PROVINCE_ADMIN} OR {DISTRICT_SUPERVISOR}"
    f" OR ({SCHEMA}.actor_has_role('agency_supervisor') AND {OWN_AGENCY} AND {S}.region_code IS NULL)"
)
READS = f"{MANAGES} OR ({AGENCY_PEOPLE} AND {OWN_AGENCY})"
SERVICE_ONLY = "false"


def upgrade() -> None:
    unprotect_table(SCHEMA, "deliveries")
    unprotect_table(SCHEMA, "subscriptions")
    add = op.add_column
    add("subscriptions", sa.Column("scope", sa.Text(), nullable=False, server_default="agency"), schema=SCHEMA)
    add("subscriptions", sa.Column("region_code", sa.Text(), nullable=True), schema=SCHEMA)
    add("subscriptions", sa.Column("channel", sa.Text(), nullable=False, server_default="webhook"), schema=SCHEMA)
    add("subscriptions", sa.Column("contact_ciphertext", sa.Text(), nullable=True), schema=SCHEMA)
    add("subscriptions", sa.Column("previous_secret_ciphertext", sa.Text(), nullable=True), schema=SCHEMA)
    add("subscriptions", sa.Column("previous_secret_expires_at", sa.DateTime(timezone=True), nullable=True),
        schema=SCHEMA)
    add("subscriptions", sa.Column("language", sa.Text(), nullable=False, server_default="id"), schema=SCHEMA)
    add("subscriptions", sa.Column("regions", postgresql.ARRAY(sa.Text()), nullable=False, server_default="{}"),
        schema=SCHEMA)
    add("subscriptions", sa.Column("priorities", postgresql.ARRAY(sa.Text()), nullable=False, server_default="{}"),
        schema=SCHEMA)
    add("subscriptions", sa.Column("paused", sa.Boolean(), nullable=False, server_default=sa.false()),
        schema=SCHEMA)
    add("subscriptions", sa.Column("owner", sa.Text(), nullable=False, server_default=""), schema=SCHEMA)
    add("subscriptions", sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True), schema=SCHEMA)
    add("subscriptions", sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True), schema=SCHEMA)
    op.execute(f"UPDATE {S} SET region_code = province_code, paused = NOT active, updated_at = created_at")
    op.alter_column("subscriptions", "updated_at", nullable=False, schema=SCHEMA)
    op.alter_column("subscriptions", "agency_id", nullable=True, schema=SCHEMA)
    op.alter_column("subscriptions", "url", nullable=True, schema=SCHEMA)
    op.alter_column("subscriptions", "secret_ciphertext", nullable=True, schema=SCHEMA)
    op.drop_column("subscriptions", "province_code", schema=SCHEMA)
    op.drop_column("subscriptions", "active", schema=SCHEMA)
    op.create_check_constraint("subscriptions_scope", "subscriptions", "scope IN ('agency', 'region')",
                               schema=SCHEMA)
    op.create_check_constraint("subscriptions_channel", "subscriptions",
                               "channel IN ('webhook', 'email', 'sms', 'whatsapp')", schema=SCHEMA)
    op.create_index("subscriptions_region", "subscriptions", ["region_code"], schema=SCHEMA,
                    postgresql_where=sa.text("scope = 'region'"))

    op.create_table(
        "delivery_attempts",
        sa.Column("attempt_id", sa.Uuid(), primary_key=True),
        sa.Column("delivery_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.deliveries.delivery_id"), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("delivery_attempts_delivery", "delivery_attempts", ["delivery_id", "attempt"], schema=SCHEMA)
    op.create_table(
        "endpoint_circuits",
        sa.Column("endpoint_key", sa.Text(), primary_key=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("times_opened", sa.Integer(), nullable=False),
        sa.Column("opened_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("trial_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "known_cases",
        sa.Column("case_id", sa.Uuid(), primary_key=True),
        sa.Column("facts", postgresql.JSONB(), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "known_referrals",
        sa.Column("referral_id", sa.Uuid(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Text(), nullable=False),
        sa.Column("agency_type", sa.Text(), nullable=False),
        sa.Column("is_lead", sa.Boolean(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("accept_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_service_by", sa.DateTime(timezone=True), nullable=True),
        schema=SCHEMA,
    )
    op.create_index("known_referrals_case", "known_referrals", ["case_id"], schema=SCHEMA)
    op.create_table(
        "waiting_events",
        sa.Column("sequence", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("event", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("waiting_events_case", "waiting_events", ["case_id", "sequence"], schema=SCHEMA)

    protect_table(SCHEMA, "subscriptions", read=READS, insert=MANAGES, update=MANAGES)
    visible_subscription = (
        f"EXISTS (SELECT 1 FROM {S} s WHERE s.subscription_id = {SCHEMA}.deliveries.subscription_id)"
    )
    protect_table(SCHEMA, "deliveries", read=visible_subscription)
    protect_table(
        SCHEMA, "delivery_attempts",
        read=(
            f"EXISTS (SELECT 1 FROM {SCHEMA}.deliveries d"
            f" WHERE d.delivery_id = {SCHEMA}.delivery_attempts.delivery_id)"
        ),
    )
    for table in ("endpoint_circuits", "known_cases", "known_referrals", "waiting_events"):
        protect_table(SCHEMA, table, read=SERVICE_ONLY)


def downgrade() -> None:
    for table in ("waiting_events", "known_referrals", "known_cases", "endpoint_circuits", "delivery_attempts"):
        unprotect_table(SCHEMA, table)
        op.drop_table(table, schema=SCHEMA)
    unprotect_table(SCHEMA, "deliveries")
    unprotect_table(SCHEMA, "subscriptions")
    op.drop_index("subscriptions_region", "subscriptions", schema=SCHEMA)
    op.drop_constraint("subscriptions_channel", "subscriptions", schema=SCHEMA)
    op.drop_constraint("subscriptions_scope", "subscriptions", schema=SCHEMA)
    op.add_column("subscriptions", sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
                  schema=SCHEMA)
    op.add_column("subscriptions", sa.Column("province_code", sa.Text(), nullable=True), schema=SCHEMA)
    # Only webhooks existed before; other channels' subscriptions cannot be kept.
    op.execute(f"DELETE FROM {SCHEMA}.deliveries WHERE subscription_id IN (SELECT subscription_id FROM {S}"
               " WHERE channel <> 'webhook' OR scope <> 'agency')")
    op.execute(f"DELETE FROM {S} WHERE channel <> 'webhook' OR scope <> 'agency'")
    op.execute(f"UPDATE {S} SET province_code = region_code, active = NOT paused AND deleted_at IS NULL")
    for column in ("deleted_at", "updated_at", "owner", "paused", "priorities", "regions", "language",
                   "previous_secret_expires_at", "previous_secret_ciphertext", "contact_ciphertext", "channel",
                   "region_code", "scope"):
        op.drop_column("subscriptions", column, schema=SCHEMA)
    protect_table(
        SCHEMA, "subscriptions",
        read=(
            f"({SCHEMA}.actor_has_role('province_admin') AND {S}.province_code = {SCHEMA}.actor_province_code())"
            f" OR ({AGENCY_PEOPLE} AND {S}.agency_id = {SCHEMA}.actor_agency_id())"
        ),
        insert=(
            f"({SCHEMA}.actor_has_role('province_admin') AND {S}.province_code = {SCHEMA}.actor_province_code())"
            f" OR ({SCHEMA}.actor_has_role('agency_supervisor') AND {S}.agency_id = {SCHEMA}.actor_agency_id())"
        ),
    )
    protect_table(
        SCHEMA, "deliveries",
        read=f"EXISTS (SELECT 1 FROM {S} s WHERE s.subscription_id = {SCHEMA}.deliveries.subscription_id)",
    )
