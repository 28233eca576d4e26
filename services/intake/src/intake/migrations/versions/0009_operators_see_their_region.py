"""A hotline operator sees the cases of their region (their regency, else their province) without personal
fields, as a supervisor of it does: the recent reports their home lists. Their personal fields stay with who
recorded the case and the agencies it is referred to (the personal fields' policy is unchanged). The same rule
as ``intake.domain.operator_rules.in_region``.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SERVICE = "intake.actor_has_role('service')"
AGENCY_ROLE = "(intake.actor_has_role('agency_staff') OR intake.actor_has_role('agency_supervisor'))"
IN_FORCE = "a.consented AND (a.access = 'live' OR (a.access = 'follow_up' AND a.read_until > now()))"
REFERRED = (
    f"({AGENCY_ROLE} AND EXISTS (SELECT 1 FROM intake.case_access a"
    f" WHERE a.case_id = intake.cases.case_id AND a.agency_id = intake.actor_agency_id() AND {IN_FORCE}))"
)
RECORDERS = f"(intake.actor_has_role('operator') OR {AGENCY_ROLE})"
RECORDED_CASE = f"({RECORDERS} AND intake.cases.recorded_by = intake.actor_user_id())"
SUPERVISED = "intake.actor_supervises(intake.cases.province_code, intake.cases.regency_code)"
OPERATES_IN = (
    "(intake.actor_has_role('operator') AND CASE WHEN intake.actor_regency_code() IS NOT NULL"
    " THEN intake.cases.regency_code = intake.actor_regency_code()"
    " ELSE intake.cases.province_code = intake.actor_province_code() END)"
)


def _cases_read(*clauses: str) -> None:
    op.execute("DROP POLICY cases_read ON intake.cases")
    op.execute(f"CREATE POLICY cases_read ON intake.cases FOR SELECT USING ({' OR '.join(clauses)})")


def upgrade() -> None:
    _cases_read(SERVICE, SUPERVISED, OPERATES_IN, RECORDED_CASE, REFERRED)


def downgrade() -> None:
    _cases_read(SERVICE, SUPERVISED, RECORDED_CASE, REFERRED)
