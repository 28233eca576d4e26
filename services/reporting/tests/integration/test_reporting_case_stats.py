"""Reporting against the real Postgres and broker: CaseReported events in, SIMFONI counts out."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import text

from reporting.domain.statistics import ALLOWED_GROUP_KEYS
from shared.auth import Role
from shared.contracts import CASES, AgeGroup, CaseReported, Channel, Sex, ViolenceType
from shared.contracts.examples import example_case_reported

pytestmark = pytest.mark.integration

# Every case of this module is reported in one far-off year, and every query is limited to it, so cases left by
# an earlier run on a reused database never count here. Each test also uses its own unusual regency codes.
YEAR = random.randint(2200, 2999)
THIS_YEAR = {"from": f"{YEAR}-01-01", "to": f"{YEAR}-12-31"}


def at(month: int, day: int, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    return datetime(YEAR, month, day, hour, minute, second, tzinfo=UTC)


def case_reported(
    regency_code: str,
    violence_types: tuple[ViolenceType, ...],
    reported_at: datetime,
    *,
    sex: Sex = Sex.PEREMPUAN,
    age_group: AgeGroup = AgeGroup.AGE_6_12,
    channel: Channel = Channel.HOTLINE,
    district_code: str | None = None,
) -> CaseReported:
    return example_case_reported(
        district_code=district_code,
        case_id=uuid4(),
        case_number=f"{regency_code.replace('.', '')}-{YEAR}-{random.randint(1, 99_999):05d}",
        province_code=regency_code[:2],
        regency_code=regency_code,
        violence_types=violence_types,
        victim_sex=sex,
        victim_age_group=age_group,
        channel=channel,
        reported_at=reported_at,
    )


def admin_for(client: httpx.AsyncClient, params: dict[str, str]) -> dict[str, str]:
    """A province admin of the province the query is about (each test works in its own province)."""
    province = params.get("province") or params.get("regency", "99")[:2]
    headers: dict[str, str] = client.bearer(  # type: ignore[attr-defined]
        Role.PROVINCE_ADMIN, user_id=f"admin-{province}", province_code=province
    )
    return headers


async def publish(producer: AIOKafkaProducer, event: CaseReported, *, partition: int | None = None) -> int:
    """As ``support.publish`` does, but on a partition of choice, and saying which partition it went to."""
    metadata = await producer.send_and_wait(CASES.name, event.to_json(), key=event.key, partition=partition)
    return int(metadata.partition)


async def stats(client: httpx.AsyncClient, **params: str) -> dict[str, Any]:
    response = await client.get("/v1/stats/cases", params={**THIS_YEAR, **params}, headers=admin_for(client, params))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def wait_for_total(client: httpx.AsyncClient, expected: int, **params: str) -> None:
    """Consumer-group joins take seconds, so poll until the counts catch up with what was published."""
    total = None
    try:
        async with asyncio.timeout(30):
            while True:
                total = (await stats(client, **params))["total_cases"]
                if total == expected:
                    return
                await asyncio.sleep(0.2)
    except TimeoutError:
        pytest.fail(f"expected {expected} cases for {params}, still {total}")


async def test_a_case_counts_once_per_violence_type_and_once_in_the_total(
    reporting: httpx.AsyncClient, producer: AIOKafkaProducer
) -> None:
    regency = "99.01"
    events = [
        case_reported(regency, (ViolenceType.FISIK, ViolenceType.PSIKIS), at(3, 3)),
        case_reported(regency, (ViolenceType.FISIK,), at(3, 20), sex=Sex.LAKI_LAKI,
                      age_group=AgeGroup.AGE_13_17, channel=Channel.WEB),
        case_reported(regency, (ViolenceType.SEKSUAL,), at(4, 2), age_group=AgeGroup.UNKNOWN),
    ]
    for event in events:
        await publish(producer, event)
    await wait_for_total(reporting, 3, regency=regency)

    by_type = await stats(reporting, group_by="regency,violence_type", regency=regency)
    assert by_type == {
        "group_by": ["regency", "violence_type"],
        "rows": [
            {"regency": regency, "violence_type": "fisik", "count": 2},
            {"regency": regency, "violence_type": "psikis", "count": 1},
            {"regency": regency, "violence_type": "seksual", "count": 1},
        ],
        "total_cases": 3,  # four type counts, three cases
        "exact": True,
    }

    by_sex = await stats(reporting, group_by="victim_sex", regency=regency)
    assert by_sex["rows"] == [{"victim_sex": "laki_laki", "count": 1}, {"victim_sex": "perempuan", "count": 2}]

    by_month = await stats(reporting, group_by="month,channel", regency=regency)
    assert by_month["rows"] == [
        {"month": f"{YEAR}-03", "channel": "hotline", "count": 1},
        {"month": f"{YEAR}-03", "channel": "web", "count": 1},
        {"month": f"{YEAR}-04", "channel": "hotline", "count": 1},
    ]

    by_age = await stats(reporting, group_by="age_group", regency=regency)
    assert [row["age_group"] for row in by_age["rows"]] == ["6-12", "13-17", "unknown"]  # SIMFONI order

    by_province = await stats(reporting, group_by="province", regency=regency)
    assert by_province["rows"] == [{"province": "99", "count": 3}]

    overall = await stats(reporting, regency=regency)
    assert overall == {"group_by": [], "rows": [{"count": 3}], "total_cases": 3, "exact": True}


async def test_filters_by_period_province_and_regency(
    reporting: httpx.AsyncClient, producer: AIOKafkaProducer
) -> None:
    for event in (
        case_reported("98.01", (ViolenceType.FISIK,), at(5, 31, 23, 59, 59)),  # last second of 31 May, UTC
        case_reported("98.01", (ViolenceType.PSIKIS,), at(6, 1, 0, 0, 0)),  # first second of 1 June
        case_reported("98.02", (ViolenceType.FISIK, ViolenceType.SEKSUAL), at(6, 15)),
        case_reported("97.01", (ViolenceType.FISIK,), at(6, 15)),  # another province
    ):
        await publish(producer, event)
    await wait_for_total(reporting, 3, province="98")
    await wait_for_total(reporting, 1, province="97")

    province = await stats(reporting, group_by="regency", province="98")
    assert province["rows"] == [{"regency": "98.01", "count": 2}, {"regency": "98.02", "count": 1}]
    assert province["total_cases"] == 3

    assert (await stats(reporting, regency="98.01"))["total_cases"] == 2
    june = {"from": f"{YEAR}-06-01", "to": f"{YEAR}-06-30"}
    june_types = await stats(reporting, group_by="violence_type", province="98", **june)
    assert june_types["rows"] == [
        {"violence_type": "fisik", "count": 1},
        {"violence_type": "psikis", "count": 1},
        {"violence_type": "seksual", "count": 1},
    ]
    assert june_types["total_cases"] == 2
    may_31 = {"from": f"{YEAR}-05-31", "to": f"{YEAR}-05-31"}
    assert (await stats(reporting, regency="98.01", **may_31))["total_cases"] == 1
    june_1 = {"from": f"{YEAR}-06-01", "to": f"{YEAR}-06-01"}
    assert (await stats(reporting, regency="98.01", **june_1))["total_cases"] == 1

    # The filters combine: a regency outside the province is outside what its admin supervises, so the admin
    # sees it as the public does (and no case of 97.01 is in province 98).
    params = {**THIS_YEAR, "group_by": "regency", "province": "98", "regency": "97.01"}
    outside = await reporting.get("/v1/stats/cases", params=params, headers=admin_for(reporting, params))
    assert outside.status_code == 200
    assert outside.json() == {"group_by": ["regency"], "rows": [], "total_cases": 0, "exact": False}


async def test_cases_count_by_district_and_a_case_without_one_under_unknown(
    reporting: httpx.AsyncClient, producer: AIOKafkaProducer
) -> None:
    regency = "97.03"
    events = [
        case_reported(regency, (ViolenceType.FISIK,), at(5, 1), district_code="97.03.02"),
        case_reported(regency, (ViolenceType.FISIK, ViolenceType.PSIKIS), at(5, 2), district_code="97.03.01"),
        case_reported(regency, (ViolenceType.SEKSUAL,), at(5, 3), district_code="97.03.02"),
        case_reported(regency, (ViolenceType.PSIKIS,), at(5, 4)),
    ]
    for event in events:
        await publish(producer, event)
    await wait_for_total(reporting, 4, regency=regency)

    by_district = await stats(reporting, group_by="district", regency=regency)
    assert by_district["rows"] == [
        {"district": "97.03.01", "count": 1},
        {"district": "97.03.02", "count": 2},
        {"district": "unknown", "count": 1},
    ]
    by_type = await stats(reporting, group_by="district,violence_type", regency=regency)
    assert by_type["rows"][:3] == [
        {"district": "97.03.01", "violence_type": "fisik", "count": 1},
        {"district": "97.03.01", "violence_type": "psikis", "count": 1},
        {"district": "97.03.02", "violence_type": "fisik", "count": 1},
    ]
    assert by_type["total_cases"] == 4


async def test_unknown_group_key_and_bad_filters_name_the_field(reporting: httpx.AsyncClient) -> None:
    response = await reporting.get(
        "/v1/stats/cases", params={"group_by": "regency,victim_name"}, headers=admin_for(reporting, {})
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["loc"], error["type"]) == (["query", "group_by"], "group_by_unknown")
    assert error["msg"].startswith("Kelompokkan menurut salah satu dari: ")
    assert "victim_name" not in error["msg"]  # the allowed keys, never the input
    for allowed in ALLOWED_GROUP_KEYS:
        assert allowed in error["msg"]

    for params, field in (
        ({"from": f"{YEAR}-13-01"}, "from"),
        ({"from": f"{YEAR}-06-02", "to": f"{YEAR}-06-01"}, "to"),
        ({"province": "6213"}, "province"),
        ({"regency": "62-13"}, "regency"),
    ):
        response = await reporting.get("/v1/stats/cases", params=params, headers=admin_for(reporting, {}))
        assert response.status_code == 422, params
        assert ["query", field] in [item["loc"] for item in response.json()["detail"]], response.text


async def test_an_event_delivered_twice_counts_once(reporting: httpx.AsyncClient, producer: AIOKafkaProducer) -> None:
    regency = "96.01"
    event = case_reported(regency, (ViolenceType.FISIK, ViolenceType.PSIKIS), at(7, 1))
    # Same case, another event id: the inbox lets it through, the read model's primary keys do not.
    same_case_again = event.model_copy(update={"event_id": uuid4(), "violence_types": (ViolenceType.SEKSUAL,)})
    marker = case_reported(regency, (ViolenceType.PENELANTARAN,), at(7, 2))

    partition = await publish(producer, event)
    await publish(producer, event, partition=partition)
    await publish(producer, same_case_again, partition=partition)
    # One partition is consumed in order, so once the marker counts, everything before it has been handled.
    await publish(producer, marker, partition=partition)
    await wait_for_total(reporting, 2, regency=regency)

    by_type = await stats(reporting, group_by="violence_type", regency=regency)
    assert by_type["rows"] == [
        {"violence_type": "fisik", "count": 1},
        {"violence_type": "penelantaran", "count": 1},
        {"violence_type": "psikis", "count": 1},
    ]
    assert by_type["total_cases"] == 2

    runtime = reporting.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.engine.connect() as connection:
        claimed = (await connection.execute(
            text("SELECT count(*) FROM inbox WHERE consumer = 'reporting' AND event_id = ANY(:ids)"),
            {"ids": [event.event_id, same_case_again.event_id]},
        )).scalar_one()
    assert claimed == 2  # each event id recorded once, the duplicate delivery left no second row
