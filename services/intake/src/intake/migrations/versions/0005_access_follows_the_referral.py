"""Access follows the referral: ``case_access`` holds one row per referral with the access it leaves its agency
(live, follow_up until ``read_until``, ended) and whether the case's consent covers the agency's type; the read
policies of cases and personal fields let an agency through only on a row in force (intake.domain.access.Grant).
Case updates and links follow the cases policy already.

Existing grants become live referrals (not the lead: intake never knew); those of closed cases keep the default
follow-up period (30 days) from the closure, and consent is taken from each case's record.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None
SCHEMA = "intake"

# A copy of shared.referral_access.ALWAYS_CONSENTED as of this revision.
ALWAYS_CONSENTED = ("uptd_ppa", "dinas_ppa", "national_hotline")
DEFAULT_FOLLOW_UP = "30 days"

SERVICE = "intake.actor_has_role('service')"
AGENCY_ROLE = "(intake.actor_has_role('agency_staff') OR intake.actor_has_role('agency_supervisor'))"
IN_FORCE = "a.consented AND (a.access = 'live' OR (a.access = 'follow_up' AND a.read_until > now()))"
FIELDS = "intake.case_personal_fields"
REFERRED = (
    f"({AGENCY_ROLE} AND EXISTS (SELECT 1 FROM intake.case_access a"
    f" WHERE a.case_id = intake.cases.case_id AND a.agency_id = intake.actor_agency_id() AND {IN_FORCE}))"
)
REFERRED_FIELD = (
    f"({AGENCY_ROLE} AND EXISTS (SELECT 1 FROM intake.case_access a JOIN intake.field_visibility v"
    f" ON v.agency_type = a.agency_type WHERE a.case_id = {FIELDS}.case_id"
    f" AND a.agency_id = intake.actor_agency_id() AND v.field = {FIELDS}.kind AND {IN_FORCE}))"
)
RECORDERS = f"(intake.actor_has_role('operator') OR {AGENCY_ROLE})"
RECORDED_CASE = f"({RECORDERS} AND intake.cases.recorded_by = intake.actor_user_id())"
RECORDED_FIELD = (
    f"({RECORDERS} AND EXISTS (SELECT 1 FROM intake.cases c"
    f" WHERE c.case_id = {FIELDS}.case_id AND c.recorded_by = intake.actor_user_id()))"
)
SUPERVISED = "intake.actor_supervises(intake.cases.province_code, intake.cases.regency_code)"


def _replace_read_policies(referred: str, referred_field: str) -> None:
    op.execute("DROP POLICY cases_read ON intake.cases")
    op.execute(
        f"CREATE POLICY cases_read ON intake.cases FOR SELECT USING ({SERVICE} OR {SUPERVISED}"
        f" OR {RECORDED_CASE} OR {referred})"
    )
    op.execute(f"DROP POLICY case_personal_fields_read ON {FIELDS}")
    op.execute(
        f"CREATE POLICY case_personal_fields_read ON {FIELDS} FOR SELECT USING ({SERVICE} OR {RECORDED_FIELD}"
        f" OR {referred_field})"
    )


def upgrade() -> None:
    table = f"{SCHEMA}.case_access"
    op.add_column("case_access", sa.Column("is_lead", sa.Boolean(), server_default="false", nullable=False),
                  schema=SCHEMA)
    op.add_column("case_access", sa.Column("access", sa.Text(), server_default="live", nullable=False), schema=SCHEMA)
    op.add_column("case_access", sa.Column("access_since", sa.DateTime(timezone=True), server_default=sa.func.now(),
                                           nullable=False), schema=SCHEMA)
    op.add_column("case_access", sa.Column("read_until", sa.DateTime(timezone=True), nullable=True), schema=SCHEMA)
    op.add_column("case_access", sa.Column("consented", sa.Boolean(), server_default="true", nullable=False),
                  schema=SCHEMA)
    op.create_check_constraint("case_access_state", "case_access", "access IN ('live', 'follow_up', 'ended')",
                               schema=SCHEMA)
    # Row-level security is forced on the owner too: the existing rows are rewritten as the service.
    op.execute("SELECT set_config('sinergi.roles', 'service', true)")
    always = ", ".join(f"'{kind}'" for kind in ALWAYS_CONSENTED)
    op.execute(
        f"UPDATE {table} a SET access_since = a.referred_at, consented = a.agency_type IN ({always}) OR EXISTS ("
        f" SELECT 1 FROM {SCHEMA}.cases c WHERE c.case_id = a.case_id"
        "  AND (c.facts -> 'consent' -> 'agency_types') ? a.agency_type)"
        f" OR NOT EXISTS (SELECT 1 FROM {SCHEMA}.cases c WHERE c.case_id = a.case_id)"
    )
    op.execute(
        f"UPDATE {table} a SET access = 'follow_up', access_since = c.closed_at,"
        f" read_until = c.closed_at + interval '{DEFAULT_FOLLOW_UP}'"
        f" FROM {SCHEMA}.cases c WHERE c.case_id = a.case_id AND c.status = 'closed' AND c.closed_at IS NOT NULL"
    )
    op.execute("SELECT set_config('sinergi.roles', '', true)")
    # One row per referral: an agency referred to the same case again (after a decline, a reopening) holds both.
    op.drop_constraint("case_access_pkey", "case_access", schema=SCHEMA)
    op.create_primary_key("case_access_pkey", "case_access", ["referral_id"], schema=SCHEMA)
    op.create_index("case_access_case", "case_access", ["case_id", "agency_id"], schema=SCHEMA)
    _replace_read_policies(REFERRED, REFERRED_FIELD)


def downgrade() -> None:
    plain = f"({AGENCY_ROLE} AND EXISTS (SELECT 1 FROM intake.case_access a"
    _replace_read_policies(
        f"{plain} WHERE a.case_id = intake.cases.case_id AND a.agency_id = intake.actor_agency_id()))",
        f"{plain} JOIN intake.field_visibility v ON v.agency_type = a.agency_type WHERE a.case_id = {FIELDS}.case_id"
        f" AND a.agency_id = intake.actor_agency_id() AND v.field = {FIELDS}.kind))",
    )
    op.drop_index("case_access_case", "case_access", schema=SCHEMA)
    op.drop_constraint("case_access_pkey", "case_access", schema=SCHEMA)
    # 0004 kept one grant per agency and case: the earliest referral, as it did; ended grants go.
    op.execute("SELECT set_config('sinergi.roles', 'service', true)")
    op.execute(f"DELETE FROM {SCHEMA}.case_access WHERE access = 'ended' OR NOT consented")
    op.execute(
        f"DELETE FROM {SCHEMA}.case_access a USING {SCHEMA}.case_access b WHERE a.case_id = b.case_id"
        " AND a.agency_id = b.agency_id AND (a.referred_at, a.referral_id) > (b.referred_at, b.referral_id)"
    )
    op.execute("SELECT set_config('sinergi.roles', '', true)")
    op.create_primary_key("case_access_pkey", "case_access", ["case_id", "agency_id"], schema=SCHEMA)
    op.drop_constraint("case_access_state", "case_access", schema=SCHEMA)
    for column in ("consented", "read_until", "access_since", "access", "is_lead"):
        op.drop_column("case_access", column, schema=SCHEMA)
