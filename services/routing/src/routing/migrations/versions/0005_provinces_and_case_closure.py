"""Admins act in their own province, and a case's referrals follow its closure and reopening.

- ``rule_sets`` gets a ``scope``: ``national`` (the default every province uses until it has its own) or a
  province code. Versions count per scope. Only a national admin writes the national default, and a province
  admin only their own province's rules.
- ``agencies``: a province admin writes only the agencies of their own province; a national admin only the
  national ones (SAPA 129...). Both the row as it was and the row as it would be must be theirs, so an agency
  cannot be moved out of (or into) another province either.
- ``cases`` gets ``closed_at`` (no timer fires, nothing escalates or is re-routed while set) and ``round``, the
  number of times the case was reopened; ``referrals`` records the round it was made in, so a reopened case can be
  referred to the same agency again (one referral per case, round and agency).

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
SCHEMA = "routing"

SERVICE = "routing.actor_has_role('service')"
AGENCY_EDITOR = (
    "(routing.actor_has_role('province_admin') AND province_code IS NOT NULL"
    " AND province_code = routing.actor_province_code())"
    " OR (routing.actor_has_role('national_admin') AND level = 'national')"
)
RULE_EDITOR = (
    "(routing.actor_has_role('province_admin') AND scope = routing.actor_province_code())"
    " OR (routing.actor_has_role('national_admin') AND scope = 'national')"
)
OLD_EDITOR = "routing.actor_has_role('province_admin')"
# Everyone signed in reads the directory and the rules; the national admin too now.
OLD_READERS = ("operator", "agency_staff", "agency_supervisor", "district_supervisor", "province_admin", "auditor")
NEW_READERS = (*OLD_READERS, "national_admin")


def _read_policy(table: str, readers: tuple[str, ...]) -> None:
    signed_in = " OR ".join(f"routing.actor_has_role('{role}')" for role in readers)
    op.execute(f"DROP POLICY {table}_read ON {SCHEMA}.{table}")
    op.execute(f"CREATE POLICY {table}_read ON {SCHEMA}.{table} FOR SELECT USING ({SERVICE} OR ({signed_in}))")


def _write_policies(table: str, editor: str, *, update: bool = True) -> None:
    """Replace the insert (and update) policies of ``table``; rule sets are never updated, only added."""
    op.execute(f"DROP POLICY {table}_insert ON {SCHEMA}.{table}")
    op.execute(f"CREATE POLICY {table}_insert ON {SCHEMA}.{table} FOR INSERT WITH CHECK ({SERVICE} OR ({editor}))")
    if update:
        op.execute(f"DROP POLICY {table}_update ON {SCHEMA}.{table}")
        op.execute(f"CREATE POLICY {table}_update ON {SCHEMA}.{table} FOR UPDATE USING ({SERVICE} OR ({editor}))"
                   f" WITH CHECK ({SERVICE} OR ({editor}))")


def upgrade() -> None:
    op.add_column("rule_sets", sa.Column("scope", sa.Text(), server_default="national", nullable=False),
                  schema=SCHEMA)
    op.drop_constraint("rule_sets_pkey", "rule_sets", schema=SCHEMA)
    op.create_primary_key("rule_sets_pkey", "rule_sets", ["scope", "version"], schema=SCHEMA)
    _write_policies("rule_sets", RULE_EDITOR, update=False)
    _write_policies("agencies", AGENCY_EDITOR)
    for table in ("rule_sets", "agencies"):
        _read_policy(table, NEW_READERS)

    op.add_column("cases", sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True), schema=SCHEMA)
    op.add_column("cases", sa.Column("round", sa.Integer(), server_default="0", nullable=False), schema=SCHEMA)
    op.add_column("referrals", sa.Column("round", sa.Integer(), server_default="0", nullable=False), schema=SCHEMA)
    op.drop_constraint("referrals_case_agency_key", "referrals", schema=SCHEMA)
    op.create_unique_constraint("referrals_case_round_agency_key", "referrals", ["case_id", "round", "agency_id"],
                                schema=SCHEMA)


def downgrade() -> None:
    op.drop_constraint("referrals_case_round_agency_key", "referrals", schema=SCHEMA)
    op.execute(f"DELETE FROM {SCHEMA}.referrals WHERE round > 0")  # the old key allows one referral per agency
    op.create_unique_constraint("referrals_case_agency_key", "referrals", ["case_id", "agency_id"], schema=SCHEMA)
    op.drop_column("referrals", "round", schema=SCHEMA)
    op.drop_column("cases", "round", schema=SCHEMA)
    op.drop_column("cases", "closed_at", schema=SCHEMA)
    for table in ("rule_sets", "agencies"):
        _read_policy(table, OLD_READERS)
    _write_policies("agencies", OLD_EDITOR)
    _write_policies("rule_sets", OLD_EDITOR, update=False)
    op.execute(f"DELETE FROM {SCHEMA}.rule_sets WHERE scope <> 'national'")
    op.drop_constraint("rule_sets_pkey", "rule_sets", schema=SCHEMA)
    op.create_primary_key("rule_sets_pkey", "rule_sets", ["version"], schema=SCHEMA)
    op.drop_column("rule_sets", "scope", schema=SCHEMA)
