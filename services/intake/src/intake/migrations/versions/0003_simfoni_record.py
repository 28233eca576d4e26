"""The SIMFONI-PPA record: the case's non-personal facts as a document, triage, status, personal fields by path
and kind, duplicate fingerprints and links, later updates, and drafts from the message gateways.

Cases recorded before this revision get a record built from their old columns (unknown incident date, place
"lainnya", no perpetrators); their personal fields keep the ciphertexts, still bound to their old names
(``bound_to``), under the paths of the new record.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from shared.migration_ops import protect_table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None
SCHEMA = "intake"

ALL = ["narrative", "victim_identity", "perpetrator_identity", "reporter_identity", "reporter_contact", "address"]
# A copy of intake.domain.access.FIELDS_BY_AGENCY_TYPE as of this revision (a test keeps them equal).
FIELD_VISIBILITY = {
    "uptd_ppa": ALL,
    "dinas_ppa": ALL,
    "national_hotline": ALL,
    "police_ppa": ALL,
    "legal_aid": ["narrative", "victim_identity", "perpetrator_identity", "reporter_identity", "reporter_contact"],
    "dinas_sosial": ["narrative", "victim_identity", "address"],
    "health": ["narrative", "victim_identity"],
    "ngo": ["narrative", "victim_identity"],
    "dinas_pendidikan": ["victim_identity"],
}
# Old field name -> (path in the record, kind).
RENAMED = {
    "narrative": ("narrative", "narrative"),
    "victim_name": ("victims.0.name", "victim_identity"),
    "reporter_name": ("reporter.name", "reporter_identity"),
    "reporter_phone": ("reporter.phone", "reporter_contact"),
    "address": ("location.address", "address"),
}
CASE_VISIBLE = "EXISTS (SELECT 1 FROM intake.cases c WHERE c.case_id = {table}.case_id)"  # under the cases policy
OPERATOR = "intake.actor_has_role('operator')"

LEGACY_FACTS = """jsonb_build_object(
    'incident', jsonb_build_object('date', NULL, 'precision', 'unknown'),
    'location', jsonb_build_object('province_code', c.province_code, 'regency_code', c.regency_code,
                                   'district_code', NULL, 'village_code', NULL, 'place', 'lainnya'),
    'violence_types', to_jsonb(c.violence_types),
    'child_in_conflict_with_law', false, 'injuries', false, 'ongoing_danger', false,
    'victims', jsonb_build_array(jsonb_build_object('sex', c.victim_sex, 'age', c.victim_age,
        'has_disability', NULL, 'education', 'tidak_diketahui', 'nationality', 'wni')),
    'perpetrators', '[]'::jsonb, 'needs', '[]'::jsonb,
    'consent', jsonb_build_object('given_by', 'belum_ditanyakan', 'agency_types', '[]'::jsonb),
    'reporter', jsonb_build_object('relation', 'lainnya', 'anonymous', NOT EXISTS (
        SELECT 1 FROM intake.case_personal_fields p WHERE p.case_id = c.case_id AND p.field = 'reporter_phone')),
    'channel', c.channel)"""


def upgrade() -> None:
    op.add_column("cases", sa.Column("facts", JSONB(), nullable=True), schema=SCHEMA)
    op.add_column("cases", sa.Column("priority", sa.Text(), nullable=True), schema=SCHEMA)
    op.add_column("cases", sa.Column("triage_reasons", ARRAY(sa.Text()), nullable=True), schema=SCHEMA)
    op.add_column("cases", sa.Column("status", sa.Text(), server_default="open", nullable=False), schema=SCHEMA)
    op.add_column("cases", sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True), schema=SCHEMA)
    op.add_column("cases", sa.Column("closure_reason", sa.Text(), nullable=True), schema=SCHEMA)
    # Row-level security is forced on the owner too: the existing rows are rewritten as the service.
    op.execute("SELECT set_config('sinergi.roles', 'service', true)")
    op.execute(
        f"UPDATE {SCHEMA}.cases c SET facts = {LEGACY_FACTS},"
        " priority = 'P3', triage_reasons = ARRAY['no_urgent_factor']"
    )
    for column in ("facts", "priority", "triage_reasons"):
        op.alter_column("cases", column, nullable=False, schema=SCHEMA)
    op.drop_column("cases", "victim_sex", schema=SCHEMA)
    op.drop_column("cases", "victim_age", schema=SCHEMA)

    op.add_column("case_personal_fields", sa.Column("kind", sa.Text(), nullable=True), schema=SCHEMA)
    op.add_column("case_personal_fields", sa.Column("bound_to", sa.Text(), nullable=True), schema=SCHEMA)
    op.execute(f"UPDATE {SCHEMA}.case_personal_fields SET bound_to = field")
    for old, (path, kind) in RENAMED.items():
        op.execute(f"UPDATE {SCHEMA}.case_personal_fields SET field = '{path}', kind = '{kind}' WHERE field = '{old}'")
    for column in ("kind", "bound_to"):
        op.alter_column("case_personal_fields", column, nullable=False, schema=SCHEMA)
    op.execute("SELECT set_config('sinergi.roles', '', true)")
    op.execute(f"DELETE FROM {SCHEMA}.field_visibility")
    op.execute(
        f"INSERT INTO {SCHEMA}.field_visibility (agency_type, field) VALUES "
        + ", ".join(f"('{kind}', '{field}')" for kind, fields in FIELD_VISIBILITY.items() for field in fields)
    )
    # The need-to-know rule now reads the kind of a field, not its path.
    op.execute(f"DROP POLICY case_personal_fields_read ON {SCHEMA}.case_personal_fields")
    fields = "intake.case_personal_fields"
    op.execute(
        f"CREATE POLICY case_personal_fields_read ON {fields} FOR SELECT USING (intake.actor_has_role('service') OR"
        f" ({OPERATOR} AND EXISTS (SELECT 1 FROM intake.cases c"
        f" WHERE c.case_id = {fields}.case_id AND c.recorded_by = intake.actor_user_id()))"
        " OR ((intake.actor_has_role('agency_staff') OR intake.actor_has_role('agency_supervisor'))"
        " AND EXISTS (SELECT 1 FROM intake.case_access a JOIN intake.field_visibility v"
        f" ON v.agency_type = a.agency_type WHERE a.case_id = {fields}.case_id"
        f" AND a.agency_id = intake.actor_agency_id() AND v.field = {fields}.kind)))"
    )

    op.create_table(
        "case_fingerprints",
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.cases.case_id"), primary_key=True),
        sa.Column("reason", sa.Text(), primary_key=True),
        sa.Column("digest", sa.Text(), primary_key=True),
        sa.Column("day", sa.Date(), nullable=True),
        schema=SCHEMA,
    )
    op.create_index("case_fingerprints_digest", "case_fingerprints", ["reason", "digest"], schema=SCHEMA)
    # Fingerprints are written and compared by the service alone.
    protect_table(SCHEMA, "case_fingerprints", read="false")

    op.create_table(
        "case_links",
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.cases.case_id"), primary_key=True),
        sa.Column("linked_case_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.cases.case_id"), primary_key=True),
        sa.Column("reasons", ARRAY(sa.Text()), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("case_links_linked", "case_links", ["linked_case_id"], schema=SCHEMA)
    # Whoever sees either report sees that they are linked.
    linked_visible = "EXISTS (SELECT 1 FROM intake.cases c WHERE c.case_id = intake.case_links.linked_case_id)"
    protect_table(SCHEMA, "case_links", read=f"{CASE_VISIBLE.format(table='intake.case_links')} OR {linked_visible}")

    op.create_table(
        "case_updates",
        sa.Column("update_id", sa.Uuid(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.cases.case_id"), nullable=False, index=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("changed_fields", ARRAY(sa.Text()), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    protect_table(SCHEMA, "case_updates", read=CASE_VISIBLE.format(table="intake.case_updates"))

    op.create_table(
        "message_drafts",
        sa.Column("draft_id", sa.Uuid(), primary_key=True),
        sa.Column("gateway", sa.Text(), nullable=False),
        sa.Column("gateway_message_id", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sender_ciphertext", sa.Text(), nullable=False),
        sa.Column("text_ciphertext", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), server_default="open", nullable=False),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.cases.case_id"), nullable=True),
        sa.Column("completed_by", sa.Text(), nullable=True),
        sa.UniqueConstraint("gateway", "gateway_message_id", name="message_drafts_once"),
        schema=SCHEMA,
    )
    # Operators complete drafts; the gateway writes them as the service, after its signature is checked.
    protect_table(SCHEMA, "message_drafts", read=OPERATOR, update=OPERATOR)


def downgrade() -> None:
    # Victims, perpetrators, needs and consent have no place in the 0002 columns: going back would lose them.
    raise NotImplementedError("0003 is irreversible: restore a backup taken before it instead")
