"""The per-case audit trail against the real Postgres and broker: events of one case from four topics chained in
the order they arrived, `audit-verify` passing on the intact chains and naming exactly the record a superuser
altered or removed, and the app role unable to change a record at all."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import exc, text
from sqlalchemy.engine import make_url

from reporting.domain.audit_chain import GENESIS_HASH, AuditRecord, record_hash
from reporting.entrypoints.audit_commands import verify
from shared.access import SERVICE_CONTEXT
from shared.auth import Role
from shared.contracts import (
    AUDIT,
    CASES,
    NOTIFICATIONS,
    REFERRALS,
    Event,
    PersonalDataRead,
    ReferralAccepted,
    ReferralCreated,
    WebhookDelivered,
)
from shared.contracts.examples import example_case_reported
from sinergi_local.infrastructure import Infrastructure

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).parents[4]
# A province no other test reports in, so the auditor here sees only this module's case.
PROVINCE, REGENCY = "91", "91.77"
AGENCY = "uptd-ppa-91.77"


def _auditor(bearer: Callable[..., dict[str, str]], province: str = PROVINCE) -> dict[str, str]:
    return bearer(Role.AUDITOR, user_id=f"auditor-{province}", province_code=province)


async def _trail(client: httpx.AsyncClient, case_id: UUID, headers: dict[str, str]) -> httpx.Response:
    return await client.get(f"/v1/audit/cases/{case_id}/trail", headers=headers)


async def _wait_for_trail(
    client: httpx.AsyncClient, case_id: UUID, headers: dict[str, str], length: int
) -> list[dict[str, Any]]:
    """Poll until the trail holds ``length`` records (consumer-group joins take seconds)."""
    records: list[dict[str, Any]] = []
    try:
        async with asyncio.timeout(60):
            while True:
                response = await _trail(client, case_id, headers)
                if response.status_code == 200:
                    records = response.json()
                    if len(records) >= length:
                        return records
                await asyncio.sleep(0.2)
    except TimeoutError:
        pytest.fail(f"expected {length} records in the trail, still {[r['event_type'] for r in records]}")


def _case_events(case_id: UUID) -> list[tuple[Event, str]]:
    """One case's life on four topics, in the order the test publishes it."""
    referral = uuid4()
    return [
        (example_case_reported(case_id=case_id, regency_code=REGENCY, case_number=f"9177-{case_id.hex[:6]}"),
         CASES.name),
        (ReferralCreated(case_id=case_id, referral_id=referral, agency_id=AGENCY, agency_type="uptd_ppa",
                         is_lead=True, province_code=PROVINCE, regency_code=REGENCY, rule="lead",
                         reason="the regency's UPTD PPA"), REFERRALS.name),
        (WebhookDelivered(case_id=case_id, subscription_id=uuid4(), agency_id=AGENCY, delivered_event_id=uuid4(),
                          delivered_event_type="referral.created", attempts=1), NOTIFICATIONS.name),
        (ReferralAccepted(case_id=case_id, referral_id=referral, agency_id=AGENCY, accepted_by="staff-91.77"),
         REFERRALS.name),
        (PersonalDataRead(case_id=case_id, actor_user_id="staff-91.77", actor_agency_id=AGENCY,
                          actor_roles=("agency_staff",), fields=("narrative",), endpoint="GET /v1/cases/{case_id}"),
         AUDIT.name),
    ]


def _as_record(item: dict[str, Any]) -> AuditRecord:
    """A record as the API shows it, for hashing again here."""
    return AuditRecord(
        case_id=UUID(item["case_id"]), seq=item["seq"], event_id=UUID(item["event_id"]),
        event_type=item["event_type"], schema_version=item["schema_version"], producer=item["producer"],
        topic=item["topic"], occurred_at=datetime.fromisoformat(item["occurred_at"]),
        actor_user_id=item["actor_user_id"], agency_id=item["agency_id"], details=item["details"],
        prev_hash=item["prev_hash"], hash=item["hash"],
    )


class Trail:
    def __init__(self, case_id: UUID, events: list[tuple[Event, str]], records: list[dict[str, Any]]) -> None:
        self.case_id, self.events, self.records = case_id, events, records


@pytest.fixture(scope="module")
async def trail(
    reporting: httpx.AsyncClient, producer: AIOKafkaProducer, bearer: Callable[..., dict[str, str]]
) -> Trail:
    """One case's events, each published once the one before is in the trail (so the arrival order is known),
    and referral.created delivered twice."""
    case_id = uuid4()
    events = _case_events(case_id)
    records: list[dict[str, Any]] = []
    for number, (event, topic) in enumerate(events, start=1):
        await producer.send_and_wait(topic, event.to_json(), key=event.key)
        if event.event_type == "referral.created":  # at least once: a second delivery changes nothing
            await producer.send_and_wait(topic, event.to_json(), key=event.key)
        records = await _wait_for_trail(reporting, case_id, _auditor(bearer), number)
    return Trail(case_id, events, records)


async def test_every_event_of_a_case_is_chained_in_the_order_it_arrived(
    reporting: httpx.AsyncClient, trail: Trail, bearer: Callable[..., dict[str, str]]
) -> None:
    # referral.accepted follows the duplicate on the same partition: once it is in, the duplicate was handled.
    records = trail.records
    assert [r["seq"] for r in records] == [1, 2, 3, 4, 5]
    assert [r["event_id"] for r in records] == [str(event.event_id) for event, _ in trail.events]
    assert [(r["event_type"], r["producer"], r["topic"]) for r in records] == [
        ("case.reported", "intake", CASES.name),
        ("referral.created", "routing", REFERRALS.name),
        ("webhook.delivered", "notifications", NOTIFICATIONS.name),
        ("referral.accepted", "routing", REFERRALS.name),
        ("personal_data.read", "intake", AUDIT.name),
    ]
    assert [(r["actor_user_id"], r["agency_id"]) for r in records] == [
        (None, None), (None, AGENCY), (None, AGENCY), ("staff-91.77", AGENCY), ("staff-91.77", AGENCY)]
    assert records[3]["details"] == {"referral_id": records[1]["details"]["referral_id"], "agency_id": AGENCY,
                                     "accepted_by": "staff-91.77", "province_code": None, "regency_code": None}
    assert records[0]["details"]["regency_code"] == REGENCY
    assert all(r["recorded_at"] for r in records)
    # Each record carries the hash of the one before, and its own hash is what anyone can compute again.
    assert [r["prev_hash"] for r in records] == [GENESIS_HASH, *(r["hash"] for r in records[:-1])]
    assert [record_hash(_as_record(r)) for r in records] == [r["hash"] for r in records]

    # Auditors of the case's province only: another province's auditor finds no such case.
    elsewhere = await _trail(reporting, trail.case_id, _auditor(bearer, "62"))
    assert elsewhere.status_code == 404
    assert [(i["loc"], i["type"]) for i in elsewhere.json()["detail"]] == [(["path", "case_id"], "case_not_found")]
    assert str(trail.case_id) not in elsewhere.text
    admin = bearer(Role.PROVINCE_ADMIN, user_id="admin-91", province_code=PROVINCE)
    assert (await _trail(reporting, trail.case_id, admin)).status_code == 403
    assert (await reporting.get(f"/v1/audit/cases/{trail.case_id}/trail")).status_code == 401


async def _audit_verify(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``python -m reporting audit-verify`` as an operator runs it, with the service's environment."""
    return await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "reporting", "audit-verify"], env={**os.environ, **env},
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False,
    )


async def test_audit_verify_passes_on_intact_chains(
    reporting: httpx.AsyncClient, trail: Trail, service_env: Callable[[str], dict[str, str]]
) -> None:
    result = await _audit_verify(service_env("reporting"))
    assert result.returncode == 0, result.stdout + result.stderr
    first_line = result.stdout.splitlines()[0]
    assert first_line.startswith("audit trail intact: "), result.stdout
    checked = int(first_line.split()[3])
    assert checked >= len(trail.records)


@pytest.fixture(scope="module")
async def superuser(infra: Infrastructure) -> AsyncIterator[asyncpg.Connection]:
    """Postgres as its superuser, with triggers off for this session (what only a superuser can do): the
    tampering an audit trail has to survive being found out."""
    dsn = make_url(infra.admin_dsn).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        if not await connection.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"):
            pytest.skip("the admin role of this database is no superuser")
        await connection.execute("SET session_replication_role = replica")
        yield connection
    finally:
        await connection.close()


@contextlib.asynccontextmanager
async def _restored(superuser: asyncpg.Connection, case_id: UUID, seq: int) -> AsyncIterator[None]:
    """Put record ``seq`` back exactly as it was, whatever the test did to it."""
    row = await superuser.fetchrow(
        "SELECT * FROM reporting.case_audit_records WHERE case_id = $1 AND seq = $2", case_id, seq
    )
    assert row is not None
    try:
        yield
    finally:
        columns = list(row.keys())
        async with superuser.transaction():
            await superuser.execute(
                "DELETE FROM reporting.case_audit_records WHERE case_id = $1 AND seq = $2", case_id, seq
            )
            await superuser.execute(
                f"INSERT INTO reporting.case_audit_records ({', '.join(columns)})"
                f" VALUES ({', '.join(f'${n}' for n in range(1, len(columns) + 1))})",
                *row.values(),
            )


async def test_audit_verify_names_an_altered_record(
    reporting: httpx.AsyncClient, trail: Trail, superuser: asyncpg.Connection
) -> None:
    settings = reporting.app.state.runtime.settings  # type: ignore[attr-defined]
    altered = trail.records[3]  # referral.accepted
    async with _restored(superuser, trail.case_id, 4):
        await superuser.execute(
            "UPDATE reporting.case_audit_records SET details = jsonb_set(details, '{accepted_by}', '\"forged\"')"
            " WHERE case_id = $1 AND seq = 4", trail.case_id,
        )
        report = await verify(settings)
        assert report.finding is not None
        assert str(report.finding) == f"case {trail.case_id}: record 4 (event {altered['event_id']}) was altered"
        assert (report.finding.seq, report.finding.problem) == (4, "altered")
    assert (await verify(settings)).finding is None


async def test_audit_verify_names_a_removed_record(
    reporting: httpx.AsyncClient, trail: Trail, superuser: asyncpg.Connection
) -> None:
    settings = reporting.app.state.runtime.settings  # type: ignore[attr-defined]
    after = trail.records[2]
    async with _restored(superuser, trail.case_id, 2):
        await superuser.execute(
            "DELETE FROM reporting.case_audit_records WHERE case_id = $1 AND seq = 2", trail.case_id
        )
        report = await verify(settings)
        assert report.finding is not None
        assert report.finding.case_id == trail.case_id
        assert (report.finding.seq, report.finding.problem) == (2, "removed")
        assert report.finding.sentence == f"record 2 was removed: record 3 (event {after['event_id']}) comes next"
    assert (await verify(settings)).finding is None


async def test_audit_verify_command_exits_1_and_names_the_record(
    trail: Trail, superuser: asyncpg.Connection, service_env: Callable[[str], dict[str, str]]
) -> None:
    last = trail.records[-1]
    async with _restored(superuser, trail.case_id, 5):
        await superuser.execute(
            "DELETE FROM reporting.case_audit_records WHERE case_id = $1 AND seq = 5", trail.case_id
        )
        result = await _audit_verify(service_env("reporting"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout == (
        f"case {trail.case_id}: record 5 was removed (the chain's head says it ends at record 5)\n"
    ), result.stdout
    assert last["event_id"] not in result.stdout


async def test_the_app_role_cannot_change_or_remove_a_record_even_as_the_service(
    reporting: httpx.AsyncClient, trail: Trail
) -> None:
    runtime = reporting.app.state.runtime  # type: ignore[attr-defined]
    statements = {
        "UPDATE": "UPDATE case_audit_records SET actor_user_id = 'forged' WHERE case_id = :case_id",
        "DELETE": "DELETE FROM case_audit_records WHERE case_id = :case_id",
    }
    for operation, statement in statements.items():
        async with runtime.unit_of_work(SERVICE_CONTEXT) as uow:
            with pytest.raises(exc.DBAPIError, match=f"append-only: {operation} on reporting.case_audit_records"):
                await uow.session.execute(text(statement), {"case_id": trail.case_id})
    for statement in (
        "TRUNCATE case_audit_records",
        "ALTER TABLE case_audit_records DISABLE TRIGGER case_audit_records_append_only",
        "SET session_replication_role = replica",
    ):
        async with runtime.unit_of_work(SERVICE_CONTEXT) as uow:
            with pytest.raises(exc.DBAPIError, match=r"permission denied|must be owner|append-only"):
                await uow.session.execute(text(statement))
    response_records = len(trail.records)
    async with runtime.unit_of_work(SERVICE_CONTEXT) as uow:
        count = await uow.session.scalar(
            text("SELECT count(*) FROM case_audit_records WHERE case_id = :case_id"), {"case_id": trail.case_id}
        )
    assert count == response_records


async def test_audit_verify_finds_a_chain_whose_head_was_changed_or_removed(
    reporting: httpx.AsyncClient, trail: Trail
) -> None:
    """The heads take updates (every append moves one), so the service could change one: verify notices."""
    runtime = reporting.app.state.runtime  # type: ignore[attr-defined]
    settings = runtime.settings
    last = trail.records[-1]
    ids = {"case_id": trail.case_id}
    tampering = {
        "UPDATE case_audit_heads SET last_hash = repeat('f', 64) WHERE case_id = :case_id":
            ("altered", f"record 5 (event {last['event_id']}) was altered: it does not match the chain's head"),
        "DELETE FROM case_audit_heads WHERE case_id = :case_id":
            ("head missing", f"the chain's head is missing (the last record is 5, event {last['event_id']})"),
    }
    for statement, (problem, sentence) in tampering.items():
        async with runtime.unit_of_work(SERVICE_CONTEXT) as uow:
            await uow.session.execute(text(statement), ids)
            await uow.commit()
        try:
            report = await verify(settings)
            assert report.finding is not None
            assert (report.finding.case_id, report.finding.problem, report.finding.sentence) == (
                trail.case_id, problem, sentence)
        finally:
            async with runtime.unit_of_work(SERVICE_CONTEXT) as uow:
                await uow.session.execute(
                    text("INSERT INTO case_audit_heads (case_id, last_seq, last_hash) VALUES (:case_id, 5, :hash)"
                         " ON CONFLICT (case_id) DO UPDATE SET last_seq = 5, last_hash = :hash"),
                    {**ids, "hash": last["hash"]},
                )
                await uow.commit()
    assert (await verify(settings)).finding is None


async def test_an_auditor_finds_a_case_by_its_number_and_sees_its_chain_verify(
    reporting: httpx.AsyncClient, trail: Trail, bearer: Callable[..., dict[str, str]]
) -> None:
    number = f"9177-{trail.case_id.hex[:6]}"
    found = await reporting.get("/v1/audit/cases", params={"case_number": number}, headers=_auditor(bearer))
    assert found.status_code == 200, found.text
    assert found.json() == [{"case_id": str(trail.case_id), "case_number": number}]
    garbled = await reporting.get("/v1/audit/cases", params={"case_number": "9177\x00"}, headers=_auditor(bearer))
    assert (garbled.status_code, garbled.json()) == (200, [])
    verified = await reporting.get(f"/v1/audit/cases/{trail.case_id}/verification", headers=_auditor(bearer))
    assert verified.status_code == 200, verified.text
    assert verified.json() == {"case_id": str(trail.case_id), "intact": True, "records_checked": 5,
                               "first_broken": None}
    # Another province's auditor neither finds the case nor learns it exists; others may not ask at all.
    elsewhere = _auditor(bearer, "62")
    assert (await reporting.get("/v1/audit/cases", params={"case_number": number}, headers=elsewhere)).json() == []
    hidden = await reporting.get(f"/v1/audit/cases/{trail.case_id}/verification", headers=elsewhere)
    assert hidden.status_code == 404
    assert [(i["loc"], i["type"]) for i in hidden.json()["detail"]] == [(["path", "case_id"], "case_not_found")]
    admin = bearer(Role.PROVINCE_ADMIN, user_id="admin-91", province_code=PROVINCE)
    assert (await reporting.get(f"/v1/audit/cases/{trail.case_id}/verification", headers=admin)).status_code == 403
    assert (await reporting.get("/v1/audit/cases", params={"case_number": number}, headers=admin)).status_code == 403


async def test_the_verification_names_the_first_broken_record_never_its_contents(
    reporting: httpx.AsyncClient, trail: Trail, superuser: asyncpg.Connection, bearer: Callable[..., dict[str, str]]
) -> None:
    url = f"/v1/audit/cases/{trail.case_id}/verification"
    altered, after_gap = trail.records[3], trail.records[2]
    async with _restored(superuser, trail.case_id, 4):
        await superuser.execute(
            "UPDATE reporting.case_audit_records SET details = jsonb_set(details, '{accepted_by}', '\"forged\"')"
            " WHERE case_id = $1 AND seq = 4", trail.case_id,
        )
        answer = await reporting.get(url, headers=_auditor(bearer))
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"case_id": str(trail.case_id), "intact": False, "records_checked": 5,
                                 "first_broken": {"seq": 4, "event_id": altered["event_id"], "problem": "altered"}}
        assert "forged" not in answer.text
    async with _restored(superuser, trail.case_id, 2):
        await superuser.execute(
            "DELETE FROM reporting.case_audit_records WHERE case_id = $1 AND seq = 2", trail.case_id
        )
        answer = await reporting.get(url, headers=_auditor(bearer))
        assert answer.json()["first_broken"] == {"seq": 2, "event_id": after_gap["event_id"], "problem": "removed"}
        assert answer.json()["records_checked"] == 4
    assert (await reporting.get(url, headers=_auditor(bearer))).json()["intact"] is True
