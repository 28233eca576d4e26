"""The referral list and follow-ups: the case facts the list shows and orders by (case number, priority,
violence types) kept on each referral, its running deadline (a generated column), one index per audience in the
list's order, and the follow-ups agencies set on their referrals (row-level security: the agency's own).

Named 0006 so that it may follow a 0005 of another branch: re-chain ``down_revision`` when merging.

Revision ID: 0006_referral_list
Revises: 0004
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

from shared.migration_ops import protect_table, unprotect_table

revision = "0006_referral_list"
down_revision = "0004"
branch_labels = None
depends_on = None
SCHEMA = "routing"
RUNNING_DEADLINE = (
    "COALESCE(CASE status WHEN 'created' THEN accept_by WHEN 'accepted' THEN first_service_by END,"
    " 'infinity'::timestamptz)"
)
LIST_ORDER = ["priority", "running_deadline", "referral_id"]
SCOPES = ("agency_id", "regency_code", "province_code")
OWN_AGENCY = (
    "((routing.actor_has_role('agency_staff') OR routing.actor_has_role('agency_supervisor'))"
    " AND routing.follow_ups.agency_id = routing.actor_agency_id())"
)


def upgrade() -> None:
    op.add_column("referrals", sa.Column("case_number", sa.Text(), nullable=True), schema=SCHEMA)
    op.add_column("referrals", sa.Column("priority", sa.Text(), server_default="P3", nullable=False), schema=SCHEMA)
    op.add_column("referrals", sa.Column("violence_types", ARRAY(sa.Text()), server_default="{}", nullable=False),
                  schema=SCHEMA)
    op.add_column("referrals", sa.Column("running_deadline", sa.DateTime(timezone=True),
                                         sa.Computed(RUNNING_DEADLINE, persisted=True), nullable=False),
                  schema=SCHEMA)
    # Referrals made before: their case's facts as routing kept them (the case number only from now on).
    op.execute(f"""
        UPDATE {SCHEMA}.referrals AS r
        SET priority = c.document->>'priority',
            violence_types = ARRAY(SELECT jsonb_array_elements_text(c.document->'violence_types')),
            case_number = c.document->>'case_number'
        FROM {SCHEMA}.cases AS c WHERE c.case_id = r.case_id""")
    for scope in SCOPES:
        op.create_index(f"referrals_list_by_{scope}", "referrals", [scope, *LIST_ORDER], schema=SCHEMA)

    op.create_table(
        "follow_ups",
        sa.Column("follow_up_id", sa.Uuid(), primary_key=True),
        sa.Column("referral_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.referrals.referral_id"), nullable=False),
        sa.Column("agency_id", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note_ciphertext", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.Text(), nullable=True),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=True),
        schema=SCHEMA,
    )
    op.create_index("follow_ups_by_referral", "follow_ups", ["referral_id", "due_at"], schema=SCHEMA)
    op.create_index("follow_ups_due", "follow_ups", ["due_at"], schema=SCHEMA,
                    postgresql_where=sa.text("done_at IS NULL AND fired_at IS NULL"))
    protect_table(SCHEMA, "follow_ups", read=OWN_AGENCY, insert=OWN_AGENCY, update=OWN_AGENCY)


def downgrade() -> None:
    unprotect_table(SCHEMA, "follow_ups")
    op.drop_table("follow_ups", schema=SCHEMA)
    for scope in SCOPES:
        op.drop_index(f"referrals_list_by_{scope}", "referrals", schema=SCHEMA)
    for column in ("running_deadline", "violence_types", "priority", "case_number"):
        op.drop_column("referrals", column, schema=SCHEMA)
