"""Intake's migration 0005 on grants made before it, on a database of the test's own: each grant becomes a live
referral whose consent is read from its case's record, a closed case's grants keep the follow-up period from the
closure, and going back to 0004 restores one grant per agency and case."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from alembic import command
from sqlalchemy.engine import make_url

from shared.migrations import alembic_config, upgrade
from sinergi_local import processes
from sinergi_local.infrastructure import Infrastructure
from tests.databases import on_database, provision, scratch_database

pytestmark = pytest.mark.integration

MIGRATIONS = Path(__file__).parents[1] / "services" / "intake" / "src" / "intake" / "migrations"
OPEN, CLOSED, NOT_HELD = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


@pytest.fixture
def owner_url(infra: Infrastructure, service_env: Callable[[str], dict[str, str]],
              test_run_dir: Path) -> Iterator[str]:
    with scratch_database(infra.admin_dsn, "sinergi_access") as database:
        provision(infra.admin_dsn, database, "intake", test_run_dir)
        yield on_database(service_env("intake")["INTAKE_MIGRATIONS_DATABASE_URL"], database)


def _as_service(url: str, statement: str) -> list[Any]:
    """Run ``statement`` as the owner acting as the service (row-level security is forced on the owner too)."""
    return processes.run_coroutine(_run(make_url(url).set(drivername="postgresql").render_as_string(
        hide_password=False), statement))


async def _run(dsn: str, statement: str) -> list[Any]:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("SET sinergi.roles = 'service'")
        return list(await connection.fetch(statement))
    finally:
        await connection.close()


def _case(case_id: uuid.UUID, number: str, status: str, consented: str) -> str:
    closed_at = "now() - interval '40 days'" if status == "closed" else "NULL"
    facts = '{"consent": {"given_by": "korban", "agency_types": [%s]}}' % consented  # noqa: UP031 - JSON braces
    return (
        "INSERT INTO intake.cases (case_id, case_number, province_code, regency_code, violence_types, channel,"
        " reported_at, facts, priority, triage_reasons, status, closed_at)"
        f" VALUES ('{case_id}', '{number}', '62', '62.13', ARRAY['fisik'], 'hotline', now() - interval '50 days',"
        f" '{facts}', 'P3', ARRAY['no_urgent_factor'], '{status}', {closed_at})"
    )


def _grant(case_id: uuid.UUID, agency_id: str, agency_type: str) -> str:
    return (
        "INSERT INTO intake.case_access (case_id, agency_id, agency_type, referral_id, referred_at)"
        f" VALUES ('{case_id}', '{agency_id}', '{agency_type}', gen_random_uuid(), now() - interval '45 days')"
    )


def test_existing_grants_become_live_referrals_with_their_case_s_consent(owner_url: str) -> None:
    upgrade(MIGRATIONS, owner_url, "0004")
    _as_service(owner_url, _case(OPEN, "6213-2026-90001", "open", '"police_ppa", "dinas_ppa", "uptd_ppa"'))
    _as_service(owner_url, _case(CLOSED, "6213-2026-90002", "closed", '"dinas_ppa", "uptd_ppa"'))
    for statement in (_grant(OPEN, "polres", "police_ppa"), _grant(OPEN, "disdik", "dinas_pendidikan"),
                      _grant(OPEN, "sapa", "national_hotline"), _grant(CLOSED, "uptd", "uptd_ppa"),
                      _grant(NOT_HELD, "ngo", "ngo")):
        _as_service(owner_url, statement)

    upgrade(MIGRATIONS, owner_url, "0005")
    rows = _as_service(owner_url, "SELECT agency_id, access, is_lead, consented, access_since = referred_at AS"
                       " since_referral, read_until - (SELECT closed_at FROM intake.cases c WHERE c.case_id ="
                       " a.case_id) AS follow_up FROM intake.case_access a ORDER BY agency_id")
    assert [tuple(row) for row in rows] == [
        ("disdik", "live", False, False, True, None),  # the victim never consented to the school
        ("ngo", "live", False, True, True, None),  # a case intake does not hold: nothing to withhold
        ("polres", "live", False, True, True, None),
        ("sapa", "live", False, True, True, None),  # SAPA 129 holds every case
        ("uptd", "follow_up", False, True, False, timedelta(days=30)),
    ]
    keys = _as_service(owner_url, "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
                       " AND a.attnum = ANY (i.indkey) WHERE i.indrelid = 'intake.case_access'::regclass"
                       " AND i.indisprimary")
    assert [row["attname"] for row in keys] == ["referral_id"]

    command.downgrade(alembic_config(MIGRATIONS, owner_url), "0004")
    kept = _as_service(owner_url, "SELECT agency_id FROM intake.case_access ORDER BY agency_id")
    assert [row["agency_id"] for row in kept] == ["ngo", "polres", "sapa", "uptd"]
    upgrade(MIGRATIONS, owner_url)
