"""The per-case audit trail: every event of every case as a hash chain (case_audit_records) and each chain's
head (case_audit_heads), readable by auditors for the cases of their province. A trigger refuses any UPDATE,
DELETE or TRUNCATE of the records, even by the service: the trail only grows.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from shared.migration_ops import protect_table, unprotect_table

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None
SCHEMA = "reporting"
TABLES = ("case_audit_records", "case_audit_heads")

# Auditors, for a case they may see (the subquery is itself under case_facts' policy: their province).
AUDITOR_OF_CASE = (
    "reporting.actor_has_role('auditor') AND "
    "EXISTS (SELECT 1 FROM reporting.case_facts f WHERE f.case_id = reporting.{table}.case_id)"
)


def upgrade() -> None:
    op.create_table(
        "case_audit_records",
        sa.Column("case_id", sa.Uuid(), primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("event_id", sa.Uuid(), nullable=False, unique=True),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("producer", sa.Text(), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("actor_user_id", sa.Text(), nullable=True),
        sa.Column("agency_id", sa.Text(), nullable=True),
        sa.Column("details", postgresql.JSONB(), nullable=False),
        sa.Column("prev_hash", sa.Text(), nullable=False),
        sa.Column("hash", sa.Text(), nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "case_audit_heads",
        sa.Column("case_id", sa.Uuid(), primary_key=True),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.Text(), nullable=False),
        schema=SCHEMA,
    )
    for table in TABLES:
        protect_table(SCHEMA, table, read=AUDITOR_OF_CASE.format(table=table))
    # Row-level security lets the service change anything; this holds for everyone, the service included. Only
    # the table's owner can disable the trigger, and the service's app role owns nothing.
    op.execute(f"""
        CREATE FUNCTION {SCHEMA}.refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the audit trail is append-only: % on %.% refused', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END
        $$""")
    # FOR EACH ROW: a change that row-level security already filters out (no row) is not an error.
    op.execute(
        f"CREATE TRIGGER case_audit_records_append_only BEFORE UPDATE OR DELETE ON {SCHEMA}.case_audit_records"
        f" FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.refuse_audit_change()"
    )
    op.execute(
        f"CREATE TRIGGER case_audit_records_no_truncate BEFORE TRUNCATE ON {SCHEMA}.case_audit_records"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {SCHEMA}.refuse_audit_change()"
    )


def downgrade() -> None:
    op.execute(f"DROP TRIGGER case_audit_records_no_truncate ON {SCHEMA}.case_audit_records")
    op.execute(f"DROP TRIGGER case_audit_records_append_only ON {SCHEMA}.case_audit_records")
    op.execute(f"DROP FUNCTION {SCHEMA}.refuse_audit_change()")
    for table in TABLES:
        unprotect_table(SCHEMA, table)
        op.drop_table(table, schema=SCHEMA)
