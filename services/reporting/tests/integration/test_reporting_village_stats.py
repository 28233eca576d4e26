"""Statistics down to the kecamatan and desa against the real Postgres and broker: cases published with their
district and village, counted by reporting, checked against counts the test makes itself from what it published."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from services.reporting.tests.integration.support import publish
from shared.auth import Role
from shared.contracts import CaseReported, ViolenceType
from shared.contracts.examples import example_case_reported
from shared.regions import load_regions

pytestmark = pytest.mark.integration

# One far-off year, and a regency (Kabupaten Gorontalo) no other test reports in: nothing else counts here.
YEAR = random.randint(2200, 2999)
REGENCY = "75.01"
THIS_YEAR = {"from": f"{YEAR}-01-01", "to": f"{YEAR}-12-31", "regency": REGENCY}
CATALOGUE = load_regions()
DISTRICTS = CATALOGUE.districts_of(REGENCY)[:3]
TYPES = list(ViolenceType)[:4]
SMALL_CELL = 5


def _planned() -> list[tuple[str | None, str | None, tuple[ViolenceType, ...]]]:
    """(district, village, types) of each case: in each district one busy village (8 to 14 cases), a few quiet
    ones (1 to 4), and some cases whose report named only the district, or no district at all."""
    plan: list[tuple[str | None, str | None, tuple[ViolenceType, ...]]] = []
    rng = random.Random(YEAR)
    for district in DISTRICTS:
        busy, *quiet = CATALOGUE.villages_of(district)[:4]
        for village, count in ((busy, rng.randint(8, 14)), *((v, rng.randint(1, 4)) for v in quiet)):
            plan.extend((district, village, tuple(rng.sample(TYPES, rng.randint(1, 2)))) for _ in range(count))
        plan.extend((district, None, (rng.choice(TYPES),)) for _ in range(rng.randint(0, 2)))
    plan.extend((None, None, (rng.choice(TYPES),)) for _ in range(2))
    return plan


PLAN = _planned()


def reported(number: int, district: str | None, village: str | None, types: tuple[ViolenceType, ...]) -> CaseReported:
    return example_case_reported(
        case_id=uuid4(), case_number=f"7501-{YEAR}-{number:05d}", regency_code=REGENCY, province_code="75",
        district_code=district, village_code=village, violence_types=types,
        reported_at=datetime(YEAR, 1 + number % 12, 1 + number % 28, 9, tzinfo=UTC),
    )


def admin(client: httpx.AsyncClient) -> dict[str, str]:
    headers: dict[str, str] = client.bearer(  # type: ignore[attr-defined]
        Role.PROVINCE_ADMIN, user_id="admin-75", province_code="75"
    )
    return headers


async def stats(client: httpx.AsyncClient, headers: dict[str, str] | None = None, **params: str) -> dict[str, Any]:
    response = await client.get("/v1/stats/cases", params={**THIS_YEAR, **params}, headers=headers or {})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture(scope="module")
async def published(reporting: httpx.AsyncClient, producer: AIOKafkaProducer) -> None:
    await publish(producer, *(reported(n, *planned) for n, planned in enumerate(PLAN, start=1)))
    total = None
    try:
        async with asyncio.timeout(45):  # consumer-group joins take seconds: wait until every case is counted
            while True:
                total = (await stats(reporting, admin(reporting)))["total_cases"]
                if total == len(PLAN):
                    return
                await asyncio.sleep(0.2)
    except TimeoutError:
        pytest.fail(f"expected {len(PLAN)} cases, still {total}")


def by_code(counts: Counter[str]) -> list[tuple[str, int]]:
    """As the API sorts them: by code, ``unknown`` (a letter) after every code (digits)."""
    return sorted(counts.items())


@pytest.mark.usefixtures("published")
async def test_a_supervisor_counts_cases_by_kecamatan_exactly(reporting: httpx.AsyncClient) -> None:
    truth = Counter(district or "unknown" for district, _, _ in PLAN)
    body = await stats(reporting, admin(reporting), group_by="district")
    assert [(row["district"], row["count"]) for row in body["rows"]] == by_code(truth)
    assert (body["total_cases"], body["exact"]) == (len(PLAN), True)
    assert "merged_rows" not in body

    # A case with two violence types counts under each, in its kecamatan.
    by_type = Counter((district or "unknown", kind.value) for district, _, types in PLAN for kind in types)
    body = await stats(reporting, admin(reporting), group_by="district,violence_type")
    assert [((row["district"], row["violence_type"]), row["count"]) for row in body["rows"]] == sorted(
        by_type.items())


@pytest.mark.usefixtures("published")
async def test_a_supervisor_counts_the_cases_of_a_kecamatan_by_desa_exactly(reporting: httpx.AsyncClient) -> None:
    for district in DISTRICTS:
        truth = Counter(village or "unknown" for d, village, _ in PLAN if d == district)
        body = await stats(reporting, admin(reporting), group_by="village", district=district)
        assert [(row["village"], row["count"]) for row in body["rows"]] == by_code(truth), district
        assert body["total_cases"] == sum(truth.values())
    everywhere = Counter(village or "unknown" for _, village, _ in PLAN)
    body = await stats(reporting, admin(reporting), group_by="village")
    assert [(row["village"], row["count"]) for row in body["rows"]] == by_code(everywhere)


def public_villages(counts: Counter[str]) -> tuple[list[tuple[str, int | str]], int]:
    """What the public may see of ``counts``, worked out here from the rules as written: every village of 1 to 4
    cases folded into "other", then primary and secondary suppression."""
    shown = [(village, count) for village, count in by_code(counts) if count >= SMALL_CELL]
    small = [count for count in counts.values() if 0 < count < SMALL_CELL]
    if small:
        shown.append(("other", sum(small)))
    lone_small = [village for village, count in shown if count < SMALL_CELL]
    hidden = set(lone_small)
    if len(lone_small) == 1:
        others = [(count, village) for village, count in shown if village not in hidden]
        if others:
            hidden.add(min(others)[1])
    return [(village, "<5" if village in hidden else count) for village, count in shown], len(small)


@pytest.mark.usefixtures("published")
async def test_the_public_sees_no_village_with_a_small_count_and_is_told_how_many_merged(
    reporting: httpx.AsyncClient,
) -> None:
    for district in DISTRICTS:
        counts = Counter(village or "unknown" for d, village, _ in PLAN if d == district)
        body = await stats(reporting, group_by="village", district=district)
        expected, merged = public_villages(counts)
        assert [(row["village"], row["count"]) for row in body["rows"]] == expected, district
        assert (body["exact"], body["merged_rows"]) == (False, merged)
        shown = {row["village"] for row in body["rows"]}
        assert not shown & {village for village, count in counts.items() if count < SMALL_CELL}


@pytest.mark.usefixtures("published")
async def test_names_stand_beside_the_codes_when_asked_for(reporting: httpx.AsyncClient) -> None:
    body = await stats(reporting, admin(reporting), group_by="regency,district", names="true")
    for row in body["rows"]:
        assert row["regency_name"] == "Kabupaten Gorontalo"
        expected = None if row["district"] == "unknown" else CATALOGUE.district_name(row["district"])
        assert row["district_name"] == expected
    assert {row["district_name"] for row in body["rows"]} >= {"Limboto", "Telaga", "Batudaa"}

    body = await stats(reporting, group_by="village", district=DISTRICTS[0], names="true")
    for row in body["rows"]:
        assert row["village_name"] == (CATALOGUE.village_name(row["village"]) if row["village"] != "other" else None)

    plain = await stats(reporting, admin(reporting), group_by="district")
    assert all(set(row) == {"district", "count"} for row in plain["rows"])  # names only when asked for


async def test_a_bad_kecamatan_is_refused_naming_the_field_in_the_callers_language(
    reporting: httpx.AsyncClient,
) -> None:
    for district, kind in (("75.01.1", "string_pattern_mismatch"), ("75.02.01", "district_outside_regency")):
        for language, start in (("id", "Kecamatan harus"), ("en", "The district")):
            response = await reporting.get("/v1/stats/cases", params={**THIS_YEAR, "district": district},
                                           headers={"Accept-Language": language})
            assert response.status_code == 422, response.text
            [error] = response.json()["detail"]
            assert (error["loc"], error["type"]) == (["query", "district"], kind)
            if kind == "district_outside_regency":
                assert error["msg"].startswith(start), error
