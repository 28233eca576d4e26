"""Agency staff who record a report (a police unit's walk-in, a teacher, a health worker) read it back like an
operator does: the case and every field they typed.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SERVICE = "intake.actor_has_role('service')"
AGENCY_ROLE = "(intake.actor_has_role('agency_staff') OR intake.actor_has_role('agency_supervisor'))"
REFERRED = (
    f"({AGENCY_ROLE} AND EXISTS (SELECT 1 FROM intake.case_access a"
    " WHERE a.case_id = intake.cases.case_id AND a.agency_id = intake.actor_agency_id()))"
)
FIELDS = "intake.case_personal_fields"
REFERRED_FIELD = (
    f"({AGENCY_ROLE} AND EXISTS (SELECT 1 FROM intake.case_access a JOIN intake.field_visibility v"
    f" ON v.agency_type = a.agency_type WHERE a.case_id = {FIELDS}.case_id"
    f" AND a.agency_id = intake.actor_agency_id() AND v.field = {FIELDS}.kind))"
)


def _recorder(roles: str) -> tuple[str, str]:
    case = f"({roles} AND intake.cases.recorded_by = intake.actor_user_id())"
    field = (
        f"({roles} AND EXISTS (SELECT 1 FROM intake.cases c"
        f" WHERE c.case_id = {FIELDS}.case_id AND c.recorded_by = intake.actor_user_id()))"
    )
    return case, field


def _replace_read_policies(roles: str) -> None:
    recorded_case, recorded_field = _recorder(roles)
    op.execute("DROP POLICY cases_read ON intake.cases")
    op.execute(
        f"CREATE POLICY cases_read ON intake.cases FOR SELECT USING ({SERVICE} OR"
        f" intake.actor_supervises(intake.cases.province_code, intake.cases.regency_code)"
        f" OR {recorded_case} OR {REFERRED})"
    )
    op.execute(f"DROP POLICY case_personal_fields_read ON {FIELDS}")
    op.execute(
        f"CREATE POLICY case_personal_fields_read ON {FIELDS} FOR SELECT USING ({SERVICE} OR {recorded_field}"
        f" OR {REFERRED_FIELD})"
    )


def upgrade() -> None:
    _replace_read_policies(f"(intake.actor_has_role('operator') OR {AGENCY_ROLE})")


def downgrade() -> None:
    _replace_read_policies("intake.actor_has_role('operator')")
