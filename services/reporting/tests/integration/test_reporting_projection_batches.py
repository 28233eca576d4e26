"""The rebuild applies events a batch at a time (``projection_batches``); the running consumers one at a time
(``projections.project``). Both must build the same rows from the same events in the same order, whatever that
order is and however the batches are cut. Everything runs in one transaction that is rolled back, so the tables
are left as they were."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest

from reporting.adapters.projection_batches import merge_value, project_batch
from reporting.adapters.projections import project
from reporting.adapters.read_models import dump_read_models, empty_read_models
from shared.access import SERVICE_CONTEXT
from shared.contracts import (
    CaseClosed,
    CaseReopened,
    CaseUpdated,
    Event,
    ReferralAccepted,
    ReferralCompleted,
    ReferralCreated,
    ReferralDeclined,
    ReferralRevoked,
    ReferralServiceStarted,
    ReferralSlaBreached,
    ViolenceType,
)
from shared.contracts.examples import example_case_reported
from shared.contracts.intake import PerpetratorFacts
from shared.contracts.vocabulary import Need, PlaceCategory, Relationship, Sex

pytestmark = pytest.mark.integration

YEAR = random.randint(2200, 2999)


def _corrected(case: Any, when: datetime, **changes: Any) -> CaseUpdated:
    stated = case.model_dump(exclude={"event_id", "event_type", "schema_version", "occurred_at", "producer"})
    return CaseUpdated(**{**stated, **changes}, occurred_at=when, update_id=uuid4(), kind="corrected",
                       changed_fields=tuple(changes), updated_by="op")


def _history(number: int) -> list[Event]:
    """One case's events: corrections (one naming other violence types and perpetrators), a closure, a reopening
    and a second closure (and, for every other case, a second reopening), and referrals through every step, one
    breaching both deadlines and one stated twice."""
    when = datetime(YEAR, 1 + number % 12, 1 + number % 28, 8, tzinfo=UTC)
    regency = f"95.0{number % 3 + 1}"
    case = example_case_reported(
        case_id=uuid4(), case_number=f"9501-{YEAR}-{number:05d}", regency_code=regency, reported_at=when,
        occurred_at=when, violence_types=(ViolenceType.FISIK,),
    )
    events: list[Event] = [
        case,
        _corrected(case, when + timedelta(hours=2), place=PlaceCategory.DARING,
                   violence_types=(ViolenceType.PSIKIS, ViolenceType.SEKSUAL),
                   perpetrators=(PerpetratorFacts(sex=Sex.LAKI_LAKI, relationship=Relationship.TETANGGA),)),
        _corrected(case, when + timedelta(hours=5), place=PlaceCategory.SEKOLAH),
    ]
    # A correction stated at the same moment as another: the first read stands.
    events.append(_corrected(case, when + timedelta(hours=5), place=PlaceCategory.TEMPAT_KERJA))
    for index, ending in enumerate(("completed", "declined", "revoked", None)):
        created = ReferralCreated(
            case_id=case.case_id, referral_id=uuid4(), agency_id=f"agency-{index}", agency_type="uptd_ppa",
            is_lead=index == 0, province_code="95", regency_code=regency, rule="t", reason="t", occurred_at=when,
            accept_by=when + timedelta(hours=2), first_service_by=when + timedelta(days=1),
        )
        ids = {"case_id": case.case_id, "referral_id": created.referral_id, "agency_id": created.agency_id}
        events += [created, created]  # delivered twice
        events.append(ReferralAccepted(**ids, accepted_by="u", occurred_at=when + timedelta(hours=index + 1)))
        events.append(ReferralAccepted(**ids, accepted_by="u", occurred_at=when + timedelta(hours=index + 3)))
        events.append(ReferralServiceStarted(**ids, actor="u", occurred_at=when + timedelta(hours=6)))
        if ending == "completed":
            events.append(ReferralCompleted(**ids, actor="u", services_given=(Need.PENGADUAN,),
                                            occurred_at=when + timedelta(days=9)))
        elif ending == "declined":
            events.append(ReferralDeclined(**ids, actor="u", reason="r", occurred_at=when + timedelta(hours=1)))
        elif ending == "revoked":
            events.append(ReferralRevoked(**ids, actor="u", reason="r", occurred_at=when + timedelta(days=2)))
        else:
            for deadline in ("accept", "first_service"):
                events.append(ReferralSlaBreached(**ids, deadline=deadline, due_at=when, escalated_to="dinas-ppa",
                                                  occurred_at=when + timedelta(days=1)))
    closure = {"case_id": case.case_id, "case_number": case.case_number, "province_code": "95",
               "regency_code": regency, "closed_by": "u"}
    events.append(CaseClosed(**closure, reason="handled", occurred_at=when + timedelta(days=10)))
    reopening = {key: value for key, value in closure.items() if key != "closed_by"}
    events.append(CaseReopened(**reopening, reason="victim_returned", reopened_by="u",
                               occurred_at=when + timedelta(days=10, hours=6)))
    events.append(CaseClosed(**closure, reason="withdrawn", occurred_at=when + timedelta(days=11)))
    if number % 2:  # open again at the end
        events.append(CaseReopened(**reopening, reason="new_information", reopened_by="u",
                                   occurred_at=when + timedelta(days=12)))
    return events


def _cut(events: list[Event], rng: random.Random) -> list[list[Event]]:
    """``events`` in order, in batches of random sizes (a case's events often split across two)."""
    batches, start = [], 0
    while start < len(events):
        size = rng.randint(1, 40)
        batches.append(events[start:start + size])
        start += size
    return batches


async def _build(uow: Any, batches: list[list[Event]], *, one_by_one: bool) -> dict[str, list[tuple[Any, ...]]]:
    await empty_read_models(uow.session)
    for batch in batches:
        if one_by_one:
            for event in batch:
                await project(uow.session, event)
        else:
            await project_batch(uow.session, batch)
    return await dump_read_models(uow.session)


async def test_batches_build_what_events_one_by_one_build(reporting: httpx.AsyncClient) -> None:
    runtime = reporting.app.state.runtime  # type: ignore[attr-defined]
    rng = random.Random(YEAR)
    in_order = [event for number in range(12) for event in _history(number)]
    shuffled = rng.sample(in_order, len(in_order))
    async with runtime.unit_of_work(SERVICE_CONTEXT) as uow:  # left without commit: rolled back
        one_by_one = await _build(uow, [in_order], one_by_one=True)
        batched = await _build(uow, _cut(in_order, rng), one_by_one=False)
        whole = await _build(uow, [in_order], one_by_one=False)
        assert sum(len(rows) for rows in one_by_one.values()) >= 12 * 9  # a case, its facts, 4 referrals
        assert batched == one_by_one
        assert whole == one_by_one

        shuffled_one_by_one = await _build(uow, [shuffled], one_by_one=True)
        assert await _build(uow, _cut(shuffled, rng), one_by_one=False) == shuffled_one_by_one


def test_merge_value_follows_the_merge_rules() -> None:
    early, late = datetime(YEAR, 1, 1, tzinfo=UTC), datetime(YEAR, 1, 2, tzinfo=UTC)
    assert merge_value("accepted_at", late, early) == early
    assert merge_value("accepted_at", None, late) == late
    assert merge_value("accepted_at", early, None) == early
    assert merge_value("ended_as", "declined", "completed") == "declined"
    assert merge_value("ended_as", None, "completed") == "completed"
    assert merge_value("accept_breached", False, True) is True
    assert merge_value("accept_breached", True, False) is True
