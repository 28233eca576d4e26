"""The public dashboard's walk from all of Indonesia down to a kecamatan, in a real browser (Debian's Chromium
driven by Playwright) on a phone's width and a desktop's: each level shows its regions by name, the figures equal
what ``GET /v1/stats/cases`` answers the public, the page never scrolls sideways at 390 px, and axe finds nothing
serious. The figures come from ``case.reported`` events published to the broker and counted by reporting."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from playwright.async_api import Browser, Page, expect

from services.reporting.tests.integration.support import publish
from shared.contracts import CaseReported, ViolenceType
from shared.contracts.examples import example_case_reported
from shared.regions import load_regions
from tests.accessibility import axe_violations
from tests.browser import PNG_SIGNATURE, chromium, screenshot_path, served_over_http

pytestmark = pytest.mark.integration

# A far-off year and a province (Sulawesi Barat) no other test reports in.
YEAR = random.randint(2200, 2999)
PERIOD = {"from": f"{YEAR}-01-01", "to": f"{YEAR}-12-31"}
PROVINCE, REGENCY = "76", "76.01"
CATALOGUE = load_regions()
DISTRICT, QUIET_DISTRICT, SMALL_DISTRICT = CATALOGUE.districts_of(REGENCY)[:3]
BUSY_VILLAGE, *QUIET_VILLAGES = CATALOGUE.villages_of(DISTRICT)[:3]
# (regency, district, village, how many cases): the busy village shows; the two quiet ones merge into "other".
PLAN = [
    (REGENCY, DISTRICT, BUSY_VILLAGE, 9), (REGENCY, DISTRICT, QUIET_VILLAGES[0], 2),
    (REGENCY, DISTRICT, QUIET_VILLAGES[1], 3), (REGENCY, QUIET_DISTRICT, None, 6), (REGENCY, SMALL_DISTRICT, None, 2),
    ("76.02", None, None, 7),
]
TYPES = [(ViolenceType.FISIK,), (ViolenceType.PERDAGANGAN_ORANG,), (ViolenceType.PSIKIS, ViolenceType.SEKSUAL)]
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}


def reported_cases() -> list[CaseReported]:
    cases = []
    for regency, district, village, count in PLAN:
        for _ in range(count):
            number = len(cases) + 1
            cases.append(example_case_reported(
                case_id=uuid4(), case_number=f"{regency.replace('.', '')}-{YEAR}-{number:05d}",
                province_code=PROVINCE, regency_code=regency, district_code=district, village_code=village,
                violence_types=TYPES[number % len(TYPES)], reported_at=datetime(YEAR, 2 + number % 5, 3, tzinfo=UTC),
            ))
    return cases


async def public_stats(client: httpx.AsyncClient, **params: str) -> dict[str, Any]:
    response = await client.get("/v1/stats/cases", params={**PERIOD, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture(scope="module")
async def base_url(reporting: httpx.AsyncClient, producer: AIOKafkaProducer) -> AsyncIterator[str]:
    """The package's running app served over HTTP, with the module's cases published and counted."""
    cases = reported_cases()
    await publish(producer, *cases)
    async with served_over_http(reporting.app, start_within=30, log_config=None, lifespan="off") as url:  # type: ignore[attr-defined]
        await counted(url, len(cases))
        yield url


async def counted(url: str, expected: int) -> None:
    """Consumer-group joins take seconds: wait until every case published is counted."""
    total: Any = None
    async with httpx.AsyncClient(base_url=url) as client:
        try:
            async with asyncio.timeout(45):
                while True:
                    total = (await public_stats(client, province=PROVINCE))["total_cases"]
                    if total == expected:
                        return
                    await asyncio.sleep(0.2)
        except TimeoutError:
            pytest.fail(f"expected {expected} cases counted, still {total}")


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


async def region_rows(page: Page, key: str) -> dict[str, str]:
    """The region table as shown: each row's code (``data-value``) and count."""
    rows = page.locator(f"#table-{key} tbody tr")
    return {await row.get_attribute("data-value") or "": await row.locator("td.num").inner_text()
            for row in await rows.all()}


async def names_shown(page: Page, key: str) -> dict[str, str]:
    rows = page.locator(f"#table-{key} tbody tr")
    return {await row.get_attribute("data-value") or "": await row.locator("th").inner_text()
            for row in await rows.all()}


def as_shown(body: dict[str, Any], key: str) -> dict[str, str]:
    return {str(row[key]): str(row["count"]) for row in body["rows"]}


async def fits_and_passes_axe(page: Page, where: str) -> None:
    width = await page.evaluate("() => document.documentElement.scrollWidth")
    viewport = page.viewport_size or PHONE
    assert width <= viewport["width"], f"{where}: {width} px wide at {viewport['width']}"
    assert await axe_violations(page) == [], where


async def follow(page: Page, link_text: str, within: str) -> None:
    async with page.expect_navigation():
        await page.locator(within).get_by_role("link", name=link_text, exact=True).click()


async def test_the_public_walks_from_indonesia_down_to_a_kecamatan_on_a_phone(
    browser: Browser, base_url: str
) -> None:
    context = await browser.new_context(viewport=PHONE, locale="id-ID", device_scale_factor=1)
    context.set_default_timeout(20_000)
    page = await context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        async with httpx.AsyncClient(base_url=base_url) as api:
            await page.goto(f"{base_url}/dashboard?{httpx.QueryParams(PERIOD)}")
            await expect(page.locator("#breadcrumbs [aria-current=page]")).to_have_text("Seluruh Indonesia")
            provinces = await region_rows(page, "province")
            assert provinces == as_shown(await public_stats(api, group_by="province"), "province")
            assert (await names_shown(page, "province"))[PROVINCE] == "Sulawesi Barat"
            await fits_and_passes_axe(page, "Indonesia")

            await follow(page, "Sulawesi Barat", "#table-province")
            await expect(page.locator("#breadcrumbs [aria-current=page]")).to_have_text("Provinsi Sulawesi Barat")
            by_regency = await public_stats(api, group_by="regency", province=PROVINCE)
            assert await region_rows(page, "regency") == as_shown(by_regency, "regency") == {
                REGENCY: "22", "76.02": "7"}
            assert await names_shown(page, "regency") == {REGENCY: "Kabupaten Pasangkayu", "76.02": "Kabupaten Mamuju"}
            await expect(page.locator("#total-cases")).to_have_text(str(by_regency["total_cases"]))
            await fits_and_passes_axe(page, "province")

            await follow(page, "Kabupaten Pasangkayu", "#table-regency")
            await expect(page.locator("#breadcrumbs [aria-current=page]")).to_have_text("Kabupaten Pasangkayu")
            by_district = await public_stats(api, group_by="district", regency=REGENCY, names="true")
            assert await region_rows(page, "district") == as_shown(by_district, "district") == {
                DISTRICT: "14", QUIET_DISTRICT: "<5", SMALL_DISTRICT: "<5"}  # 6 hidden beside the lone small 2
            assert await names_shown(page, "district") == {
                row["district"]: row["district_name"] for row in by_district["rows"]}
            await fits_and_passes_axe(page, "regency")

            district_name = CATALOGUE.district_name(DISTRICT) or ""
            await follow(page, district_name, "#table-district")
            crumbs = page.locator("#breadcrumbs li")
            await expect(crumbs).to_have_text(["Seluruh Indonesia", "Provinsi Sulawesi Barat", "Kabupaten Pasangkayu",
                                               f"Kecamatan {district_name}"])
            by_village = await public_stats(api, group_by="village", district=DISTRICT)
            assert await region_rows(page, "village") == as_shown(by_village, "village") == {
                BUSY_VILLAGE: "9", "other": "5"}  # the two quiet villages, merged
            assert by_village["merged_rows"] == 2
            assert await names_shown(page, "village") == {
                BUSY_VILLAGE: CATALOGUE.village_name(BUSY_VILLAGE), "other": "Desa/kelurahan lain (digabung)"}
            await expect(page.locator("#table-village a")).to_have_count(0)  # the last level
            for quiet in QUIET_VILLAGES:
                assert CATALOGUE.village_name(quiet) not in await page.content()
            await expect(page.locator("#total-cases")).to_have_text("14")
            await expect(page.locator("#referrals-of-regency")).to_be_visible()
            # The longest label is drawn whole, inside the screen.
            tppo = page.locator("#chart-violence_type text.label", has_text="Perdagangan orang (TPPO)")
            box = await tppo.bounding_box()
            assert box is not None
            assert box["x"] >= 0, box
            assert box["x"] + box["width"] <= PHONE["width"], box
            await fits_and_passes_axe(page, "kecamatan")
            await shoot(page, "dashboard-kecamatan-390.png")

            # The way back up keeps the period.
            await follow(page, "Kabupaten Pasangkayu", "#breadcrumbs")
            assert f"from={YEAR}-01-01" in page.url
            await expect(page.locator("#breadcrumbs [aria-current=page]")).to_have_text("Kabupaten Pasangkayu")
        assert not errors, errors
    finally:
        await context.close()


async def test_the_drilled_down_dashboard_on_a_desktop(browser: Browser, base_url: str) -> None:
    context = await browser.new_context(viewport=DESKTOP, locale="en-GB")
    context.set_default_timeout(20_000)
    page = await context.new_page()
    try:
        await page.goto(f"{base_url}/dashboard?{httpx.QueryParams({**PERIOD, 'lang': 'en', 'district': DISTRICT})}")
        await expect(page.locator("#chart-village h3")).to_have_text("Cases by village (desa/kelurahan)")
        await expect(page.locator('#table-village tr[data-value="other"] th')).to_have_text("Other villages (merged)")
        await fits_and_passes_axe(page, "kecamatan, desktop")
        await shoot(page, "dashboard-kecamatan-desktop.png")
        await page.goto(f"{base_url}/dashboard?{httpx.QueryParams({**PERIOD, 'lang': 'en', 'province': PROVINCE})}")
        await expect(page.locator("#breadcrumbs [aria-current=page]")).to_have_text("Sulawesi Barat Province")
        await fits_and_passes_axe(page, "province, desktop")
        await shoot(page, "dashboard-province-desktop.png")
    finally:
        await context.close()


async def shoot(page: Page, name: str) -> None:
    path = screenshot_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    await page.screenshot(path=str(path), full_page=True)
    assert path.read_bytes().startswith(PNG_SIGNATURE)
