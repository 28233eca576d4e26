"""Access control: row-level security on referrals (an agency sees its own; supervisors their region) and on
the agency directory (only a province admin writes it). The rules of routing.domain.access.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from shared.migration_ops import create_access_functions, drop_access_functions, protect_table, unprotect_table

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None
SCHEMA = "routing"
SIGNED_IN_ROLES = (
    "operator", "agency_staff", "agency_supervisor", "district_supervisor", "province_admin", "auditor"
)

OWN_AGENCY = (
    "((routing.actor_has_role('agency_staff') OR routing.actor_has_role('agency_supervisor'))"
    " AND routing.referrals.agency_id = routing.actor_agency_id())"
)


def upgrade() -> None:
    create_access_functions(SCHEMA)
    protect_table(
        SCHEMA,
        "referrals",
        read=f"{OWN_AGENCY} OR routing.actor_supervises(referrals.province_code, referrals.regency_code)",
        update=OWN_AGENCY,
    )
    editor = "routing.actor_has_role('province_admin')"
    # Anyone signed in reads the directory; the anonymous public does not.
    signed_in = " OR ".join(f"routing.actor_has_role('{role}')" for role in SIGNED_IN_ROLES)
    protect_table(SCHEMA, "agencies", read=signed_in, insert=editor, update=editor)


def downgrade() -> None:
    unprotect_table(SCHEMA, "agencies")
    unprotect_table(SCHEMA, "referrals")
    drop_access_functions(SCHEMA)
