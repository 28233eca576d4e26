"""The agency directory after Open Referral HSDS: services named from the intake needs list, opening hours (an
HSDS schedule) in the agency's time zone, and the desk's WhatsApp number and office address.

Agencies stored before this revision keep their rows: each free-text service name that says one of the needs is
mapped to it (``laporan_polisi`` and ``penyidikan`` to ``penegakan_hukum``, ``visum_et_repertum`` to
``kesehatan``...), the others (``rujukan``, ``koordinasi``, ``pencegahan``...) are dropped; the time zone is the
province's; the hours are not known (``{}``) until the directory is loaded again. Nothing is logged.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None
SCHEMA = "routing"

# A copy of routing.domain.agencies.PROVINCE_TIME_ZONES as of this revision (a test keeps them equal).
TIME_ZONES = {
    "Asia/Jakarta": ("11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34", "35", "36",
                     "61", "62"),
    "Asia/Makassar": ("51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"),
    "Asia/Jayapura": ("81", "82", "91", "92", "93", "94", "95", "96"),
}
NEEDS = ("pengaduan", "kesehatan", "bantuan_hukum", "penegakan_hukum", "rehabilitasi_sosial", "reintegrasi_sosial",
         "pemulangan", "pendampingan_tokoh_agama", "penampungan_sementara", "mediasi")
# The free-text names the directory used before, mapped to the need each one says; any other name is dropped.
FORMER_SERVICE_NAMES = {
    **{need: need for need in NEEDS},
    "penjangkauan": "pengaduan",
    "pelaporan": "pengaduan",
    "laporan_polisi": "penegakan_hukum",
    "penyidikan": "penegakan_hukum",
    "koordinasi_penyidikan": "penegakan_hukum",
    "layanan_kesehatan": "kesehatan",
    "visum_et_repertum": "kesehatan",
    "layanan_psikologis": "kesehatan",
    "pendampingan_hukum": "bantuan_hukum",
    "pendampingan": "rehabilitasi_sosial",
    "rumah_perlindungan": "penampungan_sementara",
    "pendampingan_sekolah": "reintegrasi_sosial",
    "keberlanjutan_pendidikan": "reintegrasi_sosial",
    "pendampingan_komunitas": "reintegrasi_sosial",
}


def _values(pairs: dict[str, str]) -> str:
    return ", ".join(f"('{name}', '{need}')" for name, need in pairs.items())


def upgrade() -> None:
    agencies = f"{SCHEMA}.agencies"
    op.add_column("agencies", sa.Column("whatsapp", sa.Text(), nullable=True), schema=SCHEMA)
    op.add_column("agencies", sa.Column("address", sa.Text(), nullable=True), schema=SCHEMA)
    op.add_column("agencies", sa.Column("hours", JSONB(), server_default="{}", nullable=False), schema=SCHEMA)
    op.add_column("agencies", sa.Column("time_zone", sa.Text(), nullable=True), schema=SCHEMA)
    op.create_check_constraint(
        "agencies_time_zone_known", "agencies",
        "time_zone IN ('Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura')", schema=SCHEMA,
    )
    # Row-level security is forced on the owner too: the rows are rewritten as the service, for this step only.
    op.execute("SELECT set_config('sinergi.roles', 'service', true)")
    for zone, provinces in TIME_ZONES.items():
        codes = ", ".join(f"'{code}'" for code in provinces)
        op.execute(f"UPDATE {agencies} SET time_zone = '{zone}' WHERE province_code IN ({codes})")
    # Each agency's services, mapped in their order, each need once.
    op.execute(f"""
        UPDATE {agencies} AS a SET services = coalesce((
            SELECT array_agg(kept.need ORDER BY kept.first_position) FROM (
                SELECT m.need, min(s.position) AS first_position
                FROM unnest(a.services) WITH ORDINALITY AS s(name, position)
                JOIN (VALUES {_values(FORMER_SERVICE_NAMES)}) AS m(name, need) ON m.name = lower(btrim(s.name))
                GROUP BY m.need
            ) AS kept
        ), '{{}}')""")
    op.execute("SELECT set_config('sinergi.roles', '', true)")


def downgrade() -> None:
    # The services stay as mapped: names of the needs are valid free text.
    op.drop_constraint("agencies_time_zone_known", "agencies", schema=SCHEMA)
    for column in ("time_zone", "hours", "address", "whatsapp"):
        op.drop_column("agencies", column, schema=SCHEMA)
