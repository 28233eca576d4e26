"""The read models of issue 7: every case fact SIMFONI counts (victims, place, perpetrators' relationships),
closures and referrals.

Cases recorded before this revision keep their first victim's sex and age group; their place and
relationships are not in the old rows and read as ``lainnya`` / ``tidak_diketahui`` until
``sinergi reporting rebuild`` replays the topics (the events hold them).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from shared.migration_ops import protect_table, unprotect_table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None
SCHEMA = "reporting"

# Visible with a case fact the actor may see (the subquery is itself under case_facts' policy).
WITH_VISIBLE_CASE = "EXISTS (SELECT 1 FROM reporting.case_facts f WHERE f.case_id = reporting.{table}.case_id)"


def _case_key() -> sa.Column[object]:
    return sa.Column(
        "case_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.case_facts.case_id", ondelete="CASCADE"), primary_key=True
    )


def upgrade() -> None:
    op.add_column("case_facts", sa.Column("place", sa.Text(), nullable=False, server_default="lainnya"),
                  schema=SCHEMA)
    op.add_column("case_facts", sa.Column("facts_as_of", sa.DateTime(timezone=True), nullable=True), schema=SCHEMA)
    op.execute(f"UPDATE {SCHEMA}.case_facts SET facts_as_of = reported_at")
    op.alter_column("case_facts", "facts_as_of", nullable=False, schema=SCHEMA)
    op.alter_column("case_facts", "place", server_default=None, schema=SCHEMA)

    op.create_table(
        "case_victims",
        _case_key(),
        sa.Column("victim_no", sa.SmallInteger(), primary_key=True),
        sa.Column("sex", sa.Text(), nullable=False),
        sa.Column("age_group", sa.Text(), nullable=False),
        schema=SCHEMA,
    )
    op.execute(
        f"INSERT INTO {SCHEMA}.case_victims (case_id, victim_no, sex, age_group)"
        f" SELECT case_id, 1, victim_sex, victim_age_group FROM {SCHEMA}.case_facts"
    )
    op.drop_column("case_facts", "victim_sex", schema=SCHEMA)
    op.drop_column("case_facts", "victim_age_group", schema=SCHEMA)

    op.create_table(
        "case_relationships",
        _case_key(),
        sa.Column("relationship", sa.Text(), primary_key=True),
        schema=SCHEMA,
    )
    op.execute(
        f"INSERT INTO {SCHEMA}.case_relationships (case_id, relationship)"
        f" SELECT case_id, 'tidak_diketahui' FROM {SCHEMA}.case_facts"
    )
    op.create_table(
        "case_closures",
        sa.Column("case_id", sa.Uuid(), primary_key=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "referral_facts",
        sa.Column("referral_id", sa.Uuid(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Text(), nullable=False),
        sa.Column("agency_type", sa.Text(), nullable=True),
        sa.Column("is_lead", sa.Boolean(), nullable=True),
        sa.Column("province_code", sa.Text(), nullable=True),
        sa.Column("regency_code", sa.Text(), nullable=True),
        sa.Column("referred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accept_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_service_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("service_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_as", sa.Text(), nullable=True),
        sa.Column("accept_breached", sa.Boolean(), nullable=False),
        sa.Column("accept_escalated", sa.Boolean(), nullable=False),
        sa.Column("first_service_breached", sa.Boolean(), nullable=False),
        sa.Column("first_service_escalated", sa.Boolean(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_reporting_referral_facts_case_id", "referral_facts", ["case_id"], schema=SCHEMA)
    op.create_index("ix_reporting_referral_facts_referred_at", "referral_facts", ["referred_at"], schema=SCHEMA)

    for table in ("case_victims", "case_relationships", "case_closures"):
        protect_table(SCHEMA, table, read=WITH_VISIBLE_CASE.format(table=table))
    protect_table(
        SCHEMA,
        "referral_facts",
        read="reporting.actor_supervises(referral_facts.province_code, referral_facts.regency_code)",
    )


def downgrade() -> None:
    op.add_column("case_facts", sa.Column("victim_sex", sa.Text(), nullable=True), schema=SCHEMA)
    op.add_column("case_facts", sa.Column("victim_age_group", sa.Text(), nullable=True), schema=SCHEMA)
    op.execute(
        f"UPDATE {SCHEMA}.case_facts f SET victim_sex = v.sex, victim_age_group = v.age_group"
        f" FROM {SCHEMA}.case_victims v WHERE v.case_id = f.case_id AND v.victim_no = 1"
    )
    op.alter_column("case_facts", "victim_sex", nullable=False, schema=SCHEMA)
    op.alter_column("case_facts", "victim_age_group", nullable=False, schema=SCHEMA)
    for table in ("referral_facts", "case_closures", "case_relationships", "case_victims"):
        unprotect_table(SCHEMA, table)
        op.drop_table(table, schema=SCHEMA)
    op.drop_column("case_facts", "facts_as_of", schema=SCHEMA)
    op.drop_column("case_facts", "place", schema=SCHEMA)
