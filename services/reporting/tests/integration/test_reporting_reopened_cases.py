"""A reopened case is one case, open again: SIMFONI counts cases, so the statistics and the export count it once
under its current status, and its audit trail shows the closure and the reopening both. Events in through the real
broker, figures out of the API."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from services.reporting.tests.integration.support import publish
from shared.auth import Role
from shared.contracts import CaseClosed, CaseReopened, CaseReported
from shared.contracts.examples import example_case_reported
from tests.polling import eventually

pytestmark = pytest.mark.integration

PROVINCE, REGENCY = "92", "92.05"  # no other test reports cases here
YEAR = random.randint(2200, 2999)
THIS_YEAR = {"from": f"{YEAR}-01-01", "to": f"{YEAR}-12-31", "province": PROVINCE}


def at(month: int, day: int) -> datetime:
    return datetime(YEAR, month, day, 12, tzinfo=UTC)


def reported(number: int, when: datetime) -> CaseReported:
    return example_case_reported(case_id=uuid4(), case_number=f"9205-{YEAR}-{number:05d}", regency_code=REGENCY,
                                 reported_at=when, occurred_at=when)


def closed(case: CaseReported, when: datetime, reason: str = "handled") -> CaseClosed:
    return CaseClosed(case_id=case.case_id, case_number=case.case_number, province_code=PROVINCE,
                      regency_code=REGENCY, reason=reason, closed_by="uptd-92", occurred_at=when)


def reopened(case: CaseReported, when: datetime) -> CaseReopened:
    return CaseReopened(case_id=case.case_id, case_number=case.case_number, province_code=PROVINCE,
                        regency_code=REGENCY, reason="victim_returned", reopened_by="uptd-92-spv", occurred_at=when)


# Reopened once: open again. Closed, reopened and closed again: closed, for its latest reason. Closed only.
REOPENED = reported(1, at(2, 1))
CLOSED_AGAIN = reported(2, at(2, 2))
CLOSED_ONCE = reported(3, at(2, 3))
EVENTS = (
    REOPENED, closed(REOPENED, at(3, 1)), reopened(REOPENED, at(3, 10)),
    CLOSED_AGAIN, closed(CLOSED_AGAIN, at(3, 1)), reopened(CLOSED_AGAIN, at(3, 5)),
    closed(CLOSED_AGAIN, at(4, 1), reason="withdrawn"),
    CLOSED_ONCE, closed(CLOSED_ONCE, at(3, 2)),
)


def admin(client: httpx.AsyncClient) -> dict[str, str]:
    headers: dict[str, str] = client.bearer(Role.PROVINCE_ADMIN, user_id="admin-92", province_code=PROVINCE)  # type: ignore[attr-defined]
    return headers


async def stats(client: httpx.AsyncClient, group_by: str) -> dict[str, Any]:
    response = await client.get("/v1/stats/cases", params={**THIS_YEAR, "group_by": group_by},
                                headers=admin(client))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["exact"] is True
    return body


async def exported(client: httpx.AsyncClient) -> list[dict[str, str]]:
    response = await client.get("/v1/exports/simfoni.csv", params=THIS_YEAR, headers=admin(client))
    assert response.status_code == 200, response.text
    header, *lines = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    return [dict(zip(header, line, strict=True)) for line in lines]


def statuses(rows: list[dict[str, str]]) -> dict[str, tuple[str, str, str]]:
    return {row["no_kasus"]: (row["status"], row["tanggal_ditutup"], row["alasan_ditutup"]) for row in rows}


FINAL = {
    REOPENED.case_number: ("terbuka", "", ""),
    CLOSED_AGAIN.case_number: ("ditutup", f"{YEAR}-04-01", "withdrawn"),
    CLOSED_ONCE.case_number: ("ditutup", f"{YEAR}-03-02", "handled"),
}


@pytest.fixture(scope="module")
async def published(reporting: httpx.AsyncClient, producer: AIOKafkaProducer) -> None:
    await publish(producer, *EVENTS)

    async def all_applied() -> bool:
        # Each case is on its own partition: wait for every case's last event (the states between pass by).
        return statuses(await exported(reporting)) == FINAL

    await eventually(all_applied, "the three cases, their closures and reopenings")


@pytest.mark.usefixtures("published")
async def test_a_reopened_case_is_one_case_open_again(reporting: httpx.AsyncClient) -> None:
    by_status = await stats(reporting, "status")
    assert by_status["total_cases"] == 3  # three cases, however often each was closed or reopened
    assert by_status["rows"] == [{"status": "closed", "count": 2}, {"status": "open", "count": 1}]
    by_regency = await stats(reporting, "regency,status")
    assert by_regency["rows"] == [
        {"regency": REGENCY, "status": "closed", "count": 2}, {"regency": REGENCY, "status": "open", "count": 1},
    ]


@pytest.mark.usefixtures("published")
async def test_the_simfoni_export_lists_it_once_open_and_a_case_closed_again_by_its_latest_closure(
    reporting: httpx.AsyncClient,
) -> None:
    rows = await exported(reporting)

    assert [row["no_kasus"] for row in rows] == [REOPENED.case_number, CLOSED_AGAIN.case_number,
                                                 CLOSED_ONCE.case_number]  # one row per case
    assert statuses(rows) == FINAL


async def trail(client: httpx.AsyncClient, case_id: UUID, headers: dict[str, str], length: int) -> list[Any]:
    async def recorded() -> list[Any] | None:
        response = await client.get(f"/v1/audit/cases/{case_id}/trail", headers=headers)
        records: list[Any] = response.json() if response.status_code == 200 else []
        return records if len(records) >= length else None

    found: list[Any] = await eventually(recorded, f"{length} records in the case's trail", within=60)
    return found


@pytest.mark.usefixtures("published")
async def test_the_audit_trail_shows_the_closure_and_the_reopening(
    reporting: httpx.AsyncClient, bearer: Callable[..., dict[str, str]]
) -> None:
    auditor = bearer(Role.AUDITOR, user_id="auditor-92", province_code=PROVINCE)

    records = await trail(reporting, REOPENED.case_id, auditor, 3)

    assert [record["event_type"] for record in records] == ["case.reported", "case.closed", "case.reopened"]
    closure, reopening = records[1], records[2]
    assert (closure["actor_user_id"], closure["details"]["reason"]) == ("uptd-92", "handled")
    assert (reopening["actor_user_id"], reopening["details"]["reason"]) == ("uptd-92-spv", "victim_returned")
    assert reopening["producer"] == "intake"
    assert reopening["prev_hash"] == closure["hash"]  # one chain: the same case, not a new one
