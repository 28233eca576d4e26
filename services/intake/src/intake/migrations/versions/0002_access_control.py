"""Access control: personal fields apart from the case, who a case is referred to, which fields each agency
type may read, and row-level security on every table holding case data (the rules of intake.domain.access).

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
SCHEMA = "intake"

# A copy of intake.domain.access.FIELDS_BY_AGENCY_TYPE as of this revision (a test keeps them equal).
FIELD_VISIBILITY = {
    "uptd_ppa": ["narrative", "victim_name", "reporter_name", "reporter_phone", "address"],
    "dinas_ppa": ["narrative", "victim_name", "reporter_name", "reporter_phone", "address"],
    "national_hotline": ["narrative", "victim_name", "reporter_name", "reporter_phone", "address"],
    "police_ppa": ["narrative", "victim_name", "reporter_name", "reporter_phone", "address"],
    "legal_aid": ["narrative", "victim_name", "reporter_name", "reporter_phone"],
    "dinas_sosial": ["narrative", "victim_name", "address"],
    "health": ["narrative", "victim_name"],
    "ngo": ["narrative", "victim_name"],
    "dinas_pendidikan": ["victim_name"],
}

AGENCY_ROLE = "(intake.actor_has_role('agency_staff') OR intake.actor_has_role('agency_supervisor'))"
RECORDED_BY_ACTOR = "(intake.actor_has_role('operator') AND {table}.recorded_by = intake.actor_user_id())"
REFERRED_TO_ACTOR = (
    f"({AGENCY_ROLE} AND EXISTS (SELECT 1 FROM intake.case_access a"
    " WHERE a.case_id = {table}.case_id AND a.agency_id = intake.actor_agency_id()))"
)
# Anyone may report (the public, an operator, police, a school, a health worker...); a report names as its
# recorder no one but the reporter.
MAY_REPORT = (
    "(intake.actor_user_id() IS NOT NULL"
    " AND ({table}.recorded_by IS NULL OR {table}.recorded_by = intake.actor_user_id()))"
)


def upgrade() -> None:
    create_access_functions(SCHEMA)
    op.add_column("cases", sa.Column("recorded_by", sa.Text(), nullable=True), schema=SCHEMA)
    op.create_table(
        "case_personal_fields",
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.cases.case_id"), primary_key=True),
        sa.Column("field", sa.Text(), primary_key=True),
        sa.Column("ciphertext", sa.Text(), nullable=False),
        schema=SCHEMA,
    )
    op.execute(
        f"INSERT INTO {SCHEMA}.case_personal_fields (case_id, field, ciphertext)"
        f" SELECT case_id, 'narrative', narrative_ciphertext FROM {SCHEMA}.cases"
    )
    op.drop_column("cases", "narrative_ciphertext", schema=SCHEMA)
    op.create_table(
        "case_access",
        # No foreign key: a grant is a fact from routing, kept even for a case intake does not hold (a
        # referral must never block intake's consumer).
        sa.Column("case_id", sa.Uuid(), primary_key=True),
        sa.Column("agency_id", sa.Text(), primary_key=True),
        sa.Column("agency_type", sa.Text(), nullable=False),
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("referred_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("case_access_agency", "case_access", ["agency_id"], schema=SCHEMA)
    visibility = op.create_table(
        "field_visibility",
        sa.Column("agency_type", sa.Text(), primary_key=True),
        sa.Column("field", sa.Text(), primary_key=True),
        schema=SCHEMA,
    )
    op.bulk_insert(
        visibility,
        [{"agency_type": kind, "field": field} for kind, fields in FIELD_VISIBILITY.items() for field in fields],
    )

    cases = "intake.cases"
    protect_table(
        SCHEMA,
        "cases",
        read=" OR ".join(
            (
                "intake.actor_supervises(cases.province_code, cases.regency_code)",
                RECORDED_BY_ACTOR.format(table=cases),
                REFERRED_TO_ACTOR.format(table=cases),
            )
        ),
        insert=MAY_REPORT.format(table=cases),
    )
    fields = "intake.case_personal_fields"
    protect_table(
        SCHEMA,
        "case_personal_fields",
        read=(
            "(intake.actor_has_role('operator') AND EXISTS (SELECT 1 FROM intake.cases c"
            f" WHERE c.case_id = {fields}.case_id AND c.recorded_by = intake.actor_user_id()))"
            f" OR ({AGENCY_ROLE} AND EXISTS (SELECT 1 FROM intake.case_access a"
            " JOIN intake.field_visibility v ON v.agency_type = a.agency_type"
            f" WHERE a.case_id = {fields}.case_id AND a.agency_id = intake.actor_agency_id()"
            f" AND v.field = {fields}.field))"
        ),
        insert="intake.actor_user_id() IS NOT NULL",
    )
    protect_table(
        SCHEMA, "case_access", read=f"{AGENCY_ROLE} AND intake.case_access.agency_id = intake.actor_agency_id()"
    )


def downgrade() -> None:
    for table in ("case_access", "case_personal_fields", "cases"):
        unprotect_table(SCHEMA, table)
    op.drop_table("field_visibility", schema=SCHEMA)
    op.drop_table("case_access", schema=SCHEMA)
    op.add_column("cases", sa.Column("narrative_ciphertext", sa.Text(), nullable=True), schema=SCHEMA)
    op.execute(
        f"UPDATE {SCHEMA}.cases c SET narrative_ciphertext = p.ciphertext FROM {SCHEMA}.case_personal_fields p"
        " WHERE p.case_id = c.case_id AND p.field = 'narrative'"
    )
    op.drop_table("case_personal_fields", schema=SCHEMA)
    op.drop_column("cases", "recorded_by", schema=SCHEMA)
    drop_access_functions(SCHEMA)
