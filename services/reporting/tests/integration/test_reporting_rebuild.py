"""``python -m reporting rebuild`` (what ``sinergi reporting rebuild`` runs) against the real broker and
Postgres, while the service keeps running: the rebuilt read models equal, row for row, what incremental
processing built, and a row no event states is gone."""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import insert

from reporting.adapters.read_models import dump_read_models
from reporting.adapters.tables import case_facts
from services.reporting.tests.integration.support import lag, publish
from shared.access import SERVICE_CONTEXT
from shared.contracts import (
    CaseClosed,
    CaseReopened,
    CaseUpdated,
    ReferralAccepted,
    ReferralCreated,
    ReferralServiceStarted,
    ReferralSlaBreached,
    ViolenceType,
)
from shared.contracts.examples import example_case_reported
from shared.contracts.vocabulary import PlaceCategory
from sinergi_local.platform import REPO_ROOT
from tests.polling import eventually

pytestmark = pytest.mark.integration

YEAR = random.randint(2200, 2999)


def _events() -> list[Any]:
    """A bit of everything the read models are built from, including a correction, a closure and a reopening."""
    start = datetime(YEAR, 1, 5, 8, tzinfo=UTC)
    events: list[Any] = []
    for number in range(12):
        when = start + timedelta(days=number * 9)
        case = example_case_reported(
            case_id=uuid4(), case_number=f"9301-{YEAR}-{number:05d}", regency_code=f"93.0{number % 3 + 1}",
            violence_types=(ViolenceType.FISIK, ViolenceType.PSIKIS)[: number % 2 + 1], reported_at=when,
            occurred_at=when,
        )
        events.append(case)
        if number % 4 == 0:
            stated = case.model_dump(exclude={"event_id", "event_type", "schema_version", "occurred_at", "producer"})
            events.append(CaseUpdated(
                **{**stated, "place": PlaceCategory.DARING}, occurred_at=when + timedelta(hours=2),
                update_id=uuid4(), kind="corrected", changed_fields=("place",), updated_by="op",
            ))
        referral = ReferralCreated(
            case_id=case.case_id, referral_id=uuid4(), agency_id=f"uptd-ppa-{case.regency_code}",
            agency_type="uptd_ppa", is_lead=True, province_code="93", regency_code=case.regency_code, rule="t",
            reason="t", occurred_at=when, accept_by=when + timedelta(hours=2),
            first_service_by=when + timedelta(days=1),
        )
        events.append(referral)
        ids = {"case_id": case.case_id, "referral_id": referral.referral_id, "agency_id": referral.agency_id}
        if number % 3:
            events.append(ReferralAccepted(**ids, accepted_by="u", occurred_at=when + timedelta(hours=number)))
            events.append(ReferralServiceStarted(**ids, actor="u", occurred_at=when + timedelta(hours=number + 3)))
        else:
            events.append(ReferralSlaBreached(**ids, deadline="accept", due_at=when + timedelta(hours=2),
                                              escalated_to="dinas-ppa", occurred_at=when + timedelta(hours=2)))
        if number % 5 == 0:
            events.append(CaseClosed(case_id=case.case_id, case_number=case.case_number, province_code="93",
                                     regency_code=case.regency_code, reason="handled", closed_by="u",
                                     occurred_at=when + timedelta(days=3)))
        if number % 10 == 0:  # reopened: the same case, open again
            events.append(CaseReopened(case_id=case.case_id, case_number=case.case_number, province_code="93",
                                       regency_code=case.regency_code, reason="victim_returned", reopened_by="u",
                                       occurred_at=when + timedelta(days=4)))
    return events


async def test_rebuild_equals_incremental_processing(
    reporting: httpx.AsyncClient, producer: AIOKafkaProducer, service_env: Callable[[str], dict[str, str]]
) -> None:
    runtime = reporting.app.state.runtime  # type: ignore[attr-defined]
    events = _events()
    await publish(producer, *events)

    async def caught_up() -> bool:
        return await lag(runtime.settings) == 0

    await eventually(caught_up, "the running service to process every event", within=60)
    async with runtime.unit_of_work(SERVICE_CONTEXT) as uow:
        incremental = await dump_read_models(uow.session)
        # A row no event states: a rebuild must drop it.
        await uow.session.execute(insert(case_facts).values(
            case_id=uuid4(), case_number="stray", province_code="93", regency_code="93.09", place="lainnya",
            channel="web", reported_at=datetime(YEAR, 1, 1, tzinfo=UTC), facts_as_of=datetime(YEAR, 1, 1, tzinfo=UTC),
        ))
        await uow.commit()
    assert sum(1 for row in incremental["referral_facts"] if row[5] == "93") == 12  # province_code column
    reopened = {event.case_id for event in events if isinstance(event, CaseReopened)}
    assert len(reopened) == 2
    assert reopened <= {row[0] for row in incremental["case_reopenings"]}

    rebuild = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "reporting", "rebuild"], env={**os.environ, **service_env("reporting")},
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert rebuild.returncode == 0, rebuild.stderr[-2000:]
    assert "rebuilt the read models from" in rebuild.stdout
    assert "replaying" in rebuild.stderr  # the progress bar
    assert "100%" in rebuild.stderr

    async with runtime.unit_of_work(SERVICE_CONTEXT) as uow:
        rebuilt = await dump_read_models(uow.session)
    assert rebuilt.keys() == incremental.keys()
    for table, rows in incremental.items():
        assert rebuilt[table] == rows, table

    # The service keeps going on the rebuilt tables.
    late = example_case_reported(case_id=uuid4(), case_number=f"9301-{YEAR}-late", regency_code="93.01",
                                 reported_at=datetime(YEAR, 12, 1, tzinfo=UTC))
    await publish(producer, late)
    await eventually(caught_up, "the event after the rebuild")
