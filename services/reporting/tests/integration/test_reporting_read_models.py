"""Every breakdown of the case statistics, the SIMFONI counting rule, corrections and closures, the referral
figures per agency, and what the public sees: events in through the real broker, figures out of the API."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from reporting.app import create_app
from reporting.domain.statistics import ALLOWED_GROUP_KEYS
from reporting.settings import ReportingSettings
from services.reporting.tests.integration.support import publish
from shared.auth import Role
from shared.contracts import (
    AgeGroup,
    CaseClosed,
    CaseReported,
    CaseUpdated,
    Channel,
    ReferralAccepted,
    ReferralCompleted,
    ReferralCreated,
    ReferralDeclined,
    ReferralServiceStarted,
    ReferralSlaBreached,
    Sex,
    ViolenceType,
)
from shared.contracts.examples import example_case_reported
from shared.contracts.intake import PerpetratorFacts, VictimFacts
from shared.contracts.vocabulary import PlaceCategory, Relationship
from tests.polling import eventually

pytestmark = pytest.mark.integration

PROVINCE = "94"  # no other test reports cases here
YEAR = random.randint(2200, 2999)
THIS_YEAR = {"from": f"{YEAR}-01-01", "to": f"{YEAR}-12-31", "province": PROVINCE}


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(YEAR, month, day, hour, tzinfo=UTC)


def reported(
    regency: str, types: tuple[ViolenceType, ...], when: datetime, *,
    victims: tuple[tuple[Sex, AgeGroup], ...] = ((Sex.PEREMPUAN, AgeGroup.AGE_25_44),),
    relationships: tuple[Relationship, ...] = (), place: PlaceCategory = PlaceCategory.RUMAH_TANGGA,
    channel: Channel = Channel.HOTLINE,
) -> CaseReported:
    return example_case_reported(
        case_id=uuid4(), case_number=f"{regency.replace('.', '')}-{YEAR}-{random.randint(1, 99_999):05d}",
        regency_code=regency, violence_types=types, reported_at=when, occurred_at=when, place=place,
        channel=channel, victims=tuple(VictimFacts(sex=sex, age_group=age) for sex, age in victims),
        perpetrators=tuple(PerpetratorFacts(relationship=relationship) for relationship in relationships),
    )


def corrected(case: CaseReported, when: datetime, **facts: Any) -> CaseUpdated:
    stated = case.model_dump(exclude={"event_id", "event_type", "schema_version", "occurred_at", "producer"})
    return CaseUpdated(
        **{**stated, **facts}, occurred_at=when, update_id=uuid4(), kind="corrected",
        changed_fields=tuple(facts), updated_by="operator-1",
    )


def admin(client: httpx.AsyncClient) -> dict[str, str]:
    headers: dict[str, str] = client.bearer(Role.PROVINCE_ADMIN, user_id="admin-94", province_code=PROVINCE)  # type: ignore[attr-defined]
    return headers


async def get(client: httpx.AsyncClient, path: str, *, exact: bool = True, **params: str) -> dict[str, Any]:
    response = await client.get(path, params={**THIS_YEAR, **params}, headers=admin(client) if exact else {})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["exact"] is exact
    return body


async def cases(client: httpx.AsyncClient, group_by: str, **params: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (await get(client, "/v1/stats/cases", group_by=group_by, **params))["rows"]
    return rows


async def test_every_breakdown_counts_a_case_once_under_each_of_its_values(
    reporting: httpx.AsyncClient, producer: AIOKafkaProducer
) -> None:
    two_of_everything = reported(
        "94.01", (ViolenceType.FISIK, ViolenceType.PSIKIS), at(2, 10),
        victims=((Sex.PEREMPUAN, AgeGroup.AGE_6_12), (Sex.LAKI_LAKI, AgeGroup.AGE_13_17)),
        relationships=(Relationship.ORANG_TUA, Relationship.ORANG_TUA, Relationship.TETANGGA),
    )
    later_corrected = reported(
        "94.02", (ViolenceType.SEKSUAL,), at(3, 5), victims=((Sex.PEREMPUAN, AgeGroup.AGE_13_17),),
        place=PlaceCategory.SEKOLAH, channel=Channel.SCHOOL,
    )
    closed = reported("94.01", (ViolenceType.FISIK,), at(3, 20), relationships=(Relationship.SUAMI_ISTRI,))
    correction = corrected(later_corrected, at(3, 6), violence_types=(ViolenceType.SEKSUAL, ViolenceType.PSIKIS),
                           place=PlaceCategory.DARING)
    closure = CaseClosed(case_id=closed.case_id, case_number=closed.case_number, province_code=PROVINCE,
                         regency_code="94.01", reason="handled", closed_by="uptd-1", occurred_at=at(4, 1))
    await publish(producer, two_of_everything, later_corrected, closed, correction, closure)

    async def all_applied() -> bool:
        # Each case is on its own partition: the closed case alone already shows "rumah_tangga".
        places = await cases(reporting, "place")
        return places == [{"place": "daring", "count": 1}, {"place": "rumah_tangga", "count": 2}] and (
            {"status": "closed", "count": 1} in await cases(reporting, "status")
        )

    await eventually(all_applied, "the three cases, the correction and the closure")

    assert await cases(reporting, "violence_type") == [
        {"violence_type": "fisik", "count": 2},
        {"violence_type": "psikis", "count": 2},  # one reported so, one corrected so
        {"violence_type": "seksual", "count": 1},
    ]
    assert (await get(reporting, "/v1/stats/cases", group_by="violence_type"))["total_cases"] == 3
    assert await cases(reporting, "victim_sex") == [
        {"victim_sex": "laki_laki", "count": 1}, {"victim_sex": "perempuan", "count": 3},
    ]
    assert await cases(reporting, "age_group") == [  # SIMFONI's order
        {"age_group": "6-12", "count": 1}, {"age_group": "13-17", "count": 2}, {"age_group": "25-44", "count": 1},
    ]
    assert await cases(reporting, "victim_sex,age_group") == [  # each victim's own sex with their own age
        {"victim_sex": "laki_laki", "age_group": "13-17", "count": 1},
        {"victim_sex": "perempuan", "age_group": "6-12", "count": 1},
        {"victim_sex": "perempuan", "age_group": "13-17", "count": 1},
        {"victim_sex": "perempuan", "age_group": "25-44", "count": 1},
    ]
    assert await cases(reporting, "place") == [
        {"place": "daring", "count": 1}, {"place": "rumah_tangga", "count": 2},
    ]
    assert await cases(reporting, "relationship") == [  # a parent named twice is one relationship
        {"relationship": "orang_tua", "count": 1},
        {"relationship": "suami_istri", "count": 1},
        {"relationship": "tetangga", "count": 1},
        {"relationship": "tidak_diketahui", "count": 1},  # no perpetrator known
    ]
    assert await cases(reporting, "status") == [{"status": "closed", "count": 1}, {"status": "open", "count": 2}]
    assert await cases(reporting, "month") == [{"month": f"{YEAR}-02", "count": 1}, {"month": f"{YEAR}-03", "count": 2}]
    assert await cases(reporting, "regency") == [{"regency": "94.01", "count": 2}, {"regency": "94.02", "count": 1}]
    assert await cases(reporting, "province") == [{"province": PROVINCE, "count": 3}]
    assert await cases(reporting, "channel") == [{"channel": "hotline", "count": 2}, {"channel": "school", "count": 1}]
    assert await cases(reporting, "violence_type,relationship", regency="94.01") == [
        {"violence_type": "fisik", "relationship": "orang_tua", "count": 1},
        {"violence_type": "fisik", "relationship": "suami_istri", "count": 1},
        {"violence_type": "fisik", "relationship": "tetangga", "count": 1},
        {"violence_type": "psikis", "relationship": "orang_tua", "count": 1},
        {"violence_type": "psikis", "relationship": "tetangga", "count": 1},
    ]
    every_key = await get(reporting, "/v1/stats/cases", group_by=",".join(ALLOWED_GROUP_KEYS))
    assert every_key["group_by"] == list(ALLOWED_GROUP_KEYS)
    assert {row["regency"] for row in every_key["rows"]} == {"94.01", "94.02"}

    # A correction stated before the facts it corrects (read out of order) does not undo them.
    stale = corrected(later_corrected, at(3, 5, 13), place=PlaceCategory.TEMPAT_KERJA)
    await publish(producer, stale, reported("94.09", (ViolenceType.LAINNYA,), at(5, 1)))
    await eventually(
        lambda: _has(reporting, "regency", {"regency": "94.09", "count": 1}), "the marker case after the stale one"
    )
    assert await cases(reporting, "place", regency="94.02") == [{"place": "daring", "count": 1}]


async def _has(client: httpx.AsyncClient, group_by: str, row: dict[str, Any]) -> bool:
    return row in await cases(client, group_by)


async def test_the_public_sees_small_cells_suppressed_and_supervisors_exact_numbers(
    reporting: httpx.AsyncClient, producer: AIOKafkaProducer
) -> None:
    period = {"from": f"{YEAR}-08-01", "to": f"{YEAR}-08-31"}
    events = [reported("94.11", (ViolenceType.FISIK,), at(8, 1 + n)) for n in range(7)]
    events += [reported("94.12", (ViolenceType.PSIKIS,), at(8, 10))]
    events += [reported("94.13", (ViolenceType.FISIK,), at(8, 11))]
    await publish(producer, *events)

    async def counted() -> bool:
        return (await get(reporting, "/v1/stats/cases", **period))["total_cases"] == 9

    await eventually(counted, "nine August cases")

    exact = await get(reporting, "/v1/stats/cases", group_by="regency", **period)
    assert exact["rows"] == [
        {"regency": "94.11", "count": 7}, {"regency": "94.12", "count": 1}, {"regency": "94.13", "count": 1},
    ]
    public = await get(reporting, "/v1/stats/cases", exact=False, group_by="regency", **period)
    assert public == {
        "group_by": ["regency"],
        "rows": [{"regency": "94.11", "count": 7}, {"regency": "94.12", "count": "<5"},
                 {"regency": "94.13", "count": "<5"}],
        "total_cases": 9,
        "exact": False,
    }
    # One small cell alone would be the total minus the rest: the next smallest is suppressed with it.
    by_type = await get(reporting, "/v1/stats/cases", exact=False, group_by="violence_type", **period)
    assert by_type["rows"] == [{"violence_type": "fisik", "count": "<5"}, {"violence_type": "psikis", "count": "<5"}]
    one_regency = await get(reporting, "/v1/stats/cases", exact=False, regency="94.12", **period)
    assert one_regency["total_cases"] == "<5"

    # A district supervisor sees their own regency exactly, and another one as the public does.
    district = reporting.bearer(Role.DISTRICT_SUPERVISOR, user_id="d-94.12", province_code=PROVINCE,  # type: ignore[attr-defined]
                                regency_code="94.12")
    own = await reporting.get("/v1/stats/cases", params={**period}, headers=district)
    assert own.json() | {"rows": None} == {"group_by": [], "rows": None, "total_cases": 1, "exact": True}
    other = await reporting.get("/v1/stats/cases", params={**period, "regency": "94.11"}, headers=district)
    assert other.json()["exact"] is False
    assert other.json()["total_cases"] == 7


async def test_referral_figures_per_agency(reporting: httpx.AsyncClient, producer: AIOKafkaProducer) -> None:
    start = at(6, 1, 8)
    hour = timedelta(hours=1)
    uptd, police = "uptd-ppa-94.01", "polres-94.01"

    def created(agency: str, agency_type: str) -> ReferralCreated:
        return ReferralCreated(
            case_id=uuid4(), referral_id=uuid4(), agency_id=agency, agency_type=agency_type, is_lead=True,
            province_code=PROVINCE, regency_code="94.01", rule="test", reason="test", occurred_at=start,
            accept_by=start + 2 * hour, first_service_by=start + 24 * hour,
        )

    def step(kind: type[Any], referral: ReferralCreated, after: float, **fields: Any) -> Any:
        return kind(case_id=referral.case_id, referral_id=referral.referral_id, agency_id=referral.agency_id,
                    occurred_at=start + after * hour, **fields)

    on_time, late, declined = created(uptd, "uptd_ppa"), created(uptd, "uptd_ppa"), created(police, "police_ppa")
    await publish(
        producer,
        on_time, step(ReferralAccepted, on_time, 1, accepted_by="u1"),
        step(ReferralServiceStarted, on_time, 5, actor="u1"),
        step(ReferralCompleted, on_time, 48, actor="u1", services_given=("rehabilitasi_sosial",)),
        late, step(ReferralSlaBreached, late, 2, deadline="accept", due_at=start + 2 * hour,
                   escalated_to="dinas-ppa-94.01"),
        step(ReferralAccepted, late, 3, accepted_by="u2"),
        declined, step(ReferralDeclined, declined, 1, actor="p1", reason="bukan wilayah kami"),
    )
    june = {"from": f"{YEAR}-06-01", "to": f"{YEAR}-06-30"}

    async def figures() -> list[dict[str, Any]] | None:
        body = await get(reporting, "/v1/stats/referrals", group_by="agency", **june)
        rows: list[dict[str, Any]] = body["rows"]
        done = body["total_referrals"] == 3 and all(row["closed"] + row["open"] == row["count"] for row in rows)
        # Wait for the last step of every referral: each case is its own partition key, so steps of
        # different referrals arrive in no fixed order.
        police, uptd_ = rows if len(rows) == 2 else (None, None)
        last_steps_seen = bool(police and uptd_ and police["closed"] == 1 and uptd_["accepted"] == 2
                               and uptd_["closed"] == 1 and uptd_["escalations"] == 1)
        return rows if done and last_steps_seen else None

    police_row, uptd_row = await eventually(figures, "the three referrals and their steps")
    assert uptd_row == {
        "keys": {"agency": uptd}, "count": 2, "accepted": 2,
        "hours_to_accept_median": 2.0, "hours_to_accept_p90": 2.8,  # 1 h and 3 h
        "hours_to_first_service_median": 5.0, "hours_to_first_service_p90": 5.0,
        "accept_sla_met": 1, "accept_sla_missed": 1, "first_service_sla_met": 1, "first_service_sla_missed": 0,
        "sla_compliance": 0.67, "escalations": 1, "open": 1, "closed": 1,
    }
    assert police_row == {
        "keys": {"agency": police}, "count": 1, "accepted": 0,
        "hours_to_accept_median": None, "hours_to_accept_p90": None,
        "hours_to_first_service_median": None, "hours_to_first_service_p90": None,
        "accept_sla_met": 0, "accept_sla_missed": 0, "first_service_sla_met": 0, "first_service_sla_missed": 0,
        "sla_compliance": None, "escalations": 0, "open": 0, "closed": 1,
    }
    by_type = await get(reporting, "/v1/stats/referrals", group_by="agency_type,month", **june)
    assert [(row["keys"], row["count"]) for row in by_type["rows"]] == [
        ({"agency_type": "police_ppa", "month": f"{YEAR}-06"}, 1),
        ({"agency_type": "uptd_ppa", "month": f"{YEAR}-06"}, 2),
    ]
    public = await get(reporting, "/v1/stats/referrals", exact=False, group_by="agency", **june)
    assert public["total_referrals"] == "<5"
    assert public["rows"][1] | {"keys": None} == {
        "keys": None, "count": "<5", "accepted": "<5",
        "hours_to_accept_median": None, "hours_to_accept_p90": None,
        "hours_to_first_service_median": None, "hours_to_first_service_p90": None,
        "accept_sla_met": "<5", "accept_sla_missed": "<5", "first_service_sla_met": "<5",
        "first_service_sla_missed": 0, "sla_compliance": None, "escalations": "<5", "open": "<5", "closed": "<5",
    }


async def test_bad_referral_queries_name_the_field(reporting: httpx.AsyncClient) -> None:
    response = await reporting.get("/v1/stats/referrals", params={"group_by": "agency,victim_sex"})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["loc"], error["type"]) == (["query", "group_by"], "group_by_unknown")
    assert "victim_sex" not in error["msg"]  # the allowed keys, never the input
    assert "agency_type" in error["msg"]
    response = await reporting.get("/v1/stats/referrals", params={"from": "2026-02-30"})
    assert response.status_code == 422
    assert ["query", "from"] in [item["loc"] for item in response.json()["detail"]]




async def test_the_public_is_held_to_the_public_rate_and_the_signed_in_are_not(
    make_settings: Callable[..., ReportingSettings], bearer: Callable[..., dict[str, str]]
) -> None:
    # The API alone (no consumers needed), with a small limit of its own.
    app = create_app(make_settings(ReportingSettings, "reporting", http_public_rate_limit="3/minute"))
    admin = bearer(Role.PROVINCE_ADMIN, user_id="admin-94", province_code=PROVINCE)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://reporting") as client:
            public = [(await client.get("/v1/stats/referrals", params=THIS_YEAR)).status_code for _ in range(4)]
            assert public == [200, 200, 200, 429]
            signed_in = [
                (await client.get("/v1/stats/cases", params=THIS_YEAR, headers=admin)).status_code for _ in range(5)
            ]
            assert signed_in == [200] * 5
    finally:
        await app.state.runtime.engine.dispose()
