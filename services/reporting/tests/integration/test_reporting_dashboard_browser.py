"""The statistics dashboard (``GET /dashboard``) in a real browser: Debian's Chromium driven by Playwright,
against reporting served over HTTP by uvicorn, with the real Postgres and broker behind it and the figures built
from ``case.reported`` and ``referral.*`` events published to the topics."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from playwright.async_api import Browser, Page, expect

from services.reporting.tests.integration.support import publish
from shared.auth import Role
from shared.contracts import (
    AgeGroup,
    CaseReported,
    Event,
    ReferralAccepted,
    ReferralCreated,
    ReferralServiceStarted,
    ViolenceType,
)
from shared.contracts.examples import example_case_reported
from tests.accessibility import axe_violations
from tests.browser import PNG_SIGNATURE, chromium, screenshot_path, served_over_http

pytestmark = pytest.mark.integration

SCREENSHOT = screenshot_path("dashboard.png")

# Every case and referral of this module is in one far-off year and in province 90 (no such province: no other
# test uses it), and every page asks for that year and province only.
YEAR = random.randint(2200, 2999)
PROVINCE = "90"
THIS_YEAR = {"from": f"{YEAR}-01-01", "to": f"{YEAR}-12-31", "province": PROVINCE}
CASES_PER_REGENCY = {"90.01": 16, "90.02": 10, "90.03": 2, "90.04": 3}  # two small cells: no secondary suppression
VIOLENCE = [(ViolenceType.FISIK,), (ViolenceType.PSIKIS,), (ViolenceType.FISIK, ViolenceType.SEKSUAL),
            (ViolenceType.PENELANTARAN,)]
AGES = [AgeGroup.AGE_6_12, AgeGroup.AGE_13_17, AgeGroup.AGE_25_44, AgeGroup.AGE_0_5, AgeGroup.UNKNOWN]


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(YEAR, month, day, hour, tzinfo=UTC)


def reported_cases() -> list[CaseReported]:
    cases = []
    for regency, count in CASES_PER_REGENCY.items():
        for number in range(count):
            cases.append(example_case_reported(
                case_id=uuid4(),
                case_number=f"{regency.replace('.', '')}-{YEAR}-{number + 1:05d}",
                province_code=PROVINCE,
                regency_code=regency,
                violence_types=VIOLENCE[number % len(VIOLENCE)],
                victim_age_group=AGES[number % len(AGES)],
                reported_at=at(3 + number % 4, 1 + number % 27),  # March to June
            ))
    return cases


@dataclass(frozen=True)
class AgencyPlan:
    """How an agency's referrals went: hours to accept (None: not yet) and to first service."""

    agency_id: str
    agency_type: str
    regency: str
    referrals: int
    accept_after: float | None
    service_after: float | None
    served: int = 0  # how many of them started service


PLANS = (
    AgencyPlan("uptd-ppa-90.01", "uptd_ppa", "90.01", 6, accept_after=2, service_after=10, served=5),
    AgencyPlan("dinas-ppa-90.02", "dinas_ppa", "90.02", 5, accept_after=30, service_after=40, served=5),  # late
    AgencyPlan("police-ppa-90.01", "police_ppa", "90.01", 2, accept_after=1, service_after=None),
    AgencyPlan("health-90.03", "health", "90.03", 3, accept_after=None, service_after=None),
)
TOTAL_REFERRALS = sum(plan.referrals for plan in PLANS)


def referral_events(cases: list[CaseReported]) -> list[Event]:
    events: list[Event] = []
    for plan in PLANS:
        of_regency = [case for case in cases if case.regency_code == plan.regency]
        for number in range(plan.referrals):
            case = of_regency[number % len(of_regency)]
            made = at(3, 2 + number)
            referral = {"case_id": case.case_id, "referral_id": uuid4(), "agency_id": plan.agency_id}
            events.append(ReferralCreated(
                **referral, occurred_at=made, agency_type=plan.agency_type, is_lead=plan.agency_type == "uptd_ppa",
                province_code=PROVINCE, regency_code=plan.regency, rule="dashboard-test", reason="test",
                accept_by=made + timedelta(hours=24), first_service_by=made + timedelta(hours=72),
            ))
            if plan.accept_after is not None:
                events.append(ReferralAccepted(**referral, occurred_at=made + timedelta(hours=plan.accept_after),
                                               accepted_by="staff-1"))
            if plan.service_after is not None and number < plan.served:
                events.append(ReferralServiceStarted(
                    **referral, occurred_at=made + timedelta(hours=plan.service_after), actor="staff-1"
                ))
    return events


@dataclass
class Served:
    base_url: str
    bearer: Callable[..., dict[str, str]]
    cases: list[CaseReported] = field(default_factory=list)

    def admin(self) -> dict[str, str]:
        """A province admin of province 90: exact figures."""
        headers: dict[str, str] = self.bearer(Role.PROVINCE_ADMIN, user_id="admin-90", province_code=PROVINCE)
        return headers

    def url(self, **params: str) -> str:
        return f"{self.base_url}/dashboard?{httpx.QueryParams({**THIS_YEAR, **params})}"


async def _poll(
    client: httpx.AsyncClient, path: str, params: dict[str, str], headers: dict[str, str], done: Callable[[Any], bool]
) -> None:
    """Consumer-group joins take seconds: poll until what was published is counted."""
    body: Any = None
    try:
        async with asyncio.timeout(45):
            while True:
                response = await client.get(path, params={**THIS_YEAR, **params}, headers=headers)
                assert response.status_code == 200, response.text
                body = response.json()
                if done(body):
                    return
                await asyncio.sleep(0.25)
    except TimeoutError:
        pytest.fail(f"{path} never caught up with the events published: {body}")


def _referrals_counted(body: dict[str, Any]) -> bool:
    expected = {(plan.agency_id, plan.referrals, plan.referrals if plan.accept_after is not None else 0,
                 plan.served) for plan in PLANS}
    counted = {(row["keys"]["agency"], row["count"], row["accepted"],
                row["first_service_sla_met"] + row["first_service_sla_missed"]) for row in body["rows"]}
    return counted == expected


@pytest.fixture(scope="module")
async def served(
    reporting: httpx.AsyncClient, producer: AIOKafkaProducer, bearer: Callable[..., dict[str, str]]
) -> AsyncIterator[Served]:
    """The module's running app (``reporting``, lifespan entered) served over HTTP by uvicorn as well, with the
    cases and their referrals published and counted."""
    app = reporting.app  # type: ignore[attr-defined]
    async with served_over_http(app, start_within=30, log_config=None, lifespan="off") as base_url:
        result = Served(base_url=base_url, bearer=bearer, cases=reported_cases())
        await publish(producer, *result.cases, *referral_events(result.cases))
        async with httpx.AsyncClient(base_url=result.base_url) as client:
            await _poll(client, "/v1/stats/cases", {}, result.admin(),
                        lambda body: body["total_cases"] == len(result.cases))
            await _poll(client, "/v1/stats/referrals", {"group_by": "agency"}, result.admin(), _referrals_counted)
        yield result


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


@dataclass
class Opened:
    page: Page
    errors: list[str]  # console errors (a CSP violation is one), failed requests


async def _open(browser: Browser, headers: dict[str, str] | None = None) -> Opened:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, extra_http_headers=headers or {},
                                        locale="id-ID")
    context.set_default_timeout(20_000)
    page = await context.new_page()
    opened = Opened(page, [])
    page.on("console", lambda message: opened.errors.append(f"console: {message.text}")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: opened.errors.append(f"pageerror: {error}"))
    page.on("response", lambda response: opened.errors.append(f"HTTP {response.status} {response.url}")
            if response.status >= 400 else None)
    return opened


def count_of(page: Page, chart: str, value: str) -> Any:
    return page.locator(f'#chart-{chart} g.row[data-value="{value}"] text.count')


def referral_cell(page: Page, agency: str, field_name: str) -> Any:
    return page.locator(f'#referrals-table tr[data-agency="{agency}"] td[data-field="{field_name}"]')


async def test_the_public_dashboard_in_bahasa_indonesia_then_english(browser: Browser, served: Served) -> None:
    opened = await _open(browser)
    page = opened.page
    try:
        response = await page.goto(served.url())
        assert response is not None
        assert response.status == 200
        headers = await response.all_headers()
        assert headers["content-security-policy"].startswith("default-src 'none'; style-src 'unsafe-inline'")
        assert headers["content-language"] == "id"
        assert "no-store" not in headers["cache-control"]

        await expect(page.locator("html")).to_have_attribute("lang", "id")
        await expect(page.locator("h1")).to_have_text("Dasbor Statistik Kekerasan terhadap Perempuan dan Anak")
        for chart, title in (("regency", "Kasus menurut kabupaten/kota"),
                             ("violence_type", "Kasus menurut bentuk kekerasan"),
                             ("age_group", "Kasus menurut kelompok umur korban"),
                             ("month", "Kasus menurut bulan pelaporan")):
            await expect(page.locator(f"#chart-{chart} h3")).to_have_text(title)
            assert await page.locator(f"#chart-{chart} svg.chart rect.bar").count() >= 2, chart
        await expect(page.locator("svg.chart")).to_have_count(4)
        await expect(page.locator("#total-cases")).to_have_text(str(len(served.cases)))
        await expect(page.locator("#view")).to_have_class("view public")

        # The public sees small cells as "<5", drawn as short hatched bars; larger ones exactly and to scale.
        await expect(count_of(page, "regency", "90.03")).to_have_text("<5")
        await expect(count_of(page, "regency", "90.04")).to_have_text("<5")
        await expect(count_of(page, "regency", "90.01")).to_have_text("16")
        await expect(count_of(page, "regency", "90.02")).to_have_text("10")
        widths = {value: float(await page.locator(f'#chart-regency g.row[data-value="{value}"] rect.bar')
                               .get_attribute("width") or "0") for value in CASES_PER_REGENCY}
        assert widths["90.02"] == pytest.approx(widths["90.01"] * 10 / 16, abs=0.1)
        assert widths["90.03"] == widths["90.04"] < widths["90.02"]
        await expect(page.locator("#chart-violence_type g.row").first).to_contain_text("Fisik")
        await expect(page.locator("#chart-month g.row")).to_have_count(4)  # March to June

        # Referrals per agency: the small ones suppressed and their times withheld.
        await expect(page.locator("#referrals-heading")).to_have_text("Rujukan dan waktu tanggap per lembaga")
        await expect(page.locator("#referrals-table tbody tr")).to_have_count(len(PLANS))
        await expect(referral_cell(page, "uptd-ppa-90.01", "count")).to_have_text("6")
        await expect(referral_cell(page, "uptd-ppa-90.01", "accept_median")).to_have_text("2,0")
        await expect(referral_cell(page, "uptd-ppa-90.01", "sla")).to_have_text("100%")
        await expect(referral_cell(page, "dinas-ppa-90.02", "accept_median")).to_have_text("30,0")
        await expect(referral_cell(page, "dinas-ppa-90.02", "sla")).to_have_text("50%")
        await expect(referral_cell(page, "police-ppa-90.01", "count")).to_have_text("<5")
        await expect(referral_cell(page, "police-ppa-90.01", "accept_median")).to_have_text("\N{EN DASH}")
        await expect(page.locator("#note-suppression")).to_contain_text("<5 berarti 1 sampai 4")
        await expect(page.locator("#note-simfoni")).to_contain_text("SIMFONI-PPA")

        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        SCREENSHOT.unlink(missing_ok=True)
        await page.screenshot(path=str(SCREENSHOT), full_page=True)
        assert SCREENSHOT.read_bytes().startswith(PNG_SIGNATURE)
        assert SCREENSHOT.stat().st_size > 20_000

        async with page.expect_navigation():
            await page.click("#language-switch")
        assert "lang=en" in page.url
        assert f"province={PROVINCE}" in page.url
        await expect(page.locator("html")).to_have_attribute("lang", "en")
        await expect(page.locator("h1")).to_have_text("Violence against Women and Children: Statistics Dashboard")
        await expect(page.locator("#chart-violence_type h3")).to_have_text("Cases by type of violence")
        await expect(page.locator("#chart-age_group h3")).to_have_text("Cases by victims' age group")
        await expect(page.locator("#referrals-heading")).to_have_text("Referrals and response times by agency")
        await expect(page.locator("#chart-violence_type g.row").first).to_contain_text("Physical")
        await expect(referral_cell(page, "uptd-ppa-90.01", "accept_median")).to_have_text("2.0")
        await expect(count_of(page, "regency", "90.03")).to_have_text("<5")
        assert not opened.errors, opened.errors
    finally:
        await page.context.close()


async def test_a_supervisor_sees_exact_figures_and_filters_by_period(browser: Browser, served: Served) -> None:
    opened = await _open(browser, served.admin())
    page = opened.page
    try:
        response = await page.goto(served.url())
        assert response is not None
        assert response.status == 200
        assert (await response.all_headers())["cache-control"] == "no-store"
        await expect(page.locator("#view")).to_have_class("view exact")
        await expect(count_of(page, "regency", "90.03")).to_have_text("2")
        await expect(count_of(page, "regency", "90.04")).to_have_text("3")
        await expect(referral_cell(page, "police-ppa-90.01", "count")).to_have_text("2")
        await expect(referral_cell(page, "police-ppa-90.01", "accept_median")).to_have_text("1,0")
        await expect(page.locator("#total-referrals")).to_have_text(str(TOTAL_REFERRALS))

        # The filter form: March only.
        march = [case for case in served.cases if case.reported_at.month == 3]
        await page.fill("#filter-from", f"{YEAR}-03-01")
        await page.fill("#filter-to", f"{YEAR}-03-31")
        async with page.expect_navigation():
            await page.click("#filter-apply")
        assert f"from={YEAR}-03-01" in page.url
        assert f"to={YEAR}-03-31" in page.url
        await expect(page.locator("#total-cases")).to_have_text(str(len(march)))
        await expect(page.locator("#chart-month g.row")).to_have_count(1)
        march_in_regency = sum(1 for case in march if case.regency_code == "90.01")
        await expect(count_of(page, "regency", "90.01")).to_have_text(str(march_in_regency))
        await expect(page.locator("#filter-from")).to_have_value(f"{YEAR}-03-01")
        await expect(page.locator("#scope")).to_contain_text(f"1 Mar {YEAR}")

        # April: no referral was made then.
        await page.fill("#filter-from", f"{YEAR}-04-01")
        await page.fill("#filter-to", f"{YEAR}-04-30")
        async with page.expect_navigation():
            await page.click("#filter-apply")
        await expect(page.locator("#total-referrals")).to_have_text("0")
        await expect(page.locator("#referrals-table")).to_have_count(0)
        assert not opened.errors, opened.errors
    finally:
        await page.context.close()


async def test_the_dashboard_fits_a_phone_and_its_agency_table_scrolls_in_its_own_box(
    browser: Browser, served: Served
) -> None:
    context = await browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID")
    context.set_default_timeout(20_000)
    page = await context.new_page()
    try:
        await page.goto(served.url())
        assert await page.evaluate("() => document.documentElement.scrollWidth") <= 390
        table = page.locator("#referrals-table")
        await expect(table.locator("caption")).to_contain_text("Rujukan yang dibuat pada periode ini")
        wrap = page.locator("section[aria-labelledby=referrals-heading] .table-wrap")
        # The table is wider than the phone: its own box scrolls (and takes the keyboard's focus), not the page.
        assert await wrap.evaluate("(box) => box.scrollWidth > box.clientWidth")
        await expect(wrap).to_have_attribute("tabindex", "0")
        await wrap.evaluate("(box) => { box.scrollLeft = box.scrollWidth; }")
        last = await referral_cell(page, "uptd-ppa-90.01", "closed").bounding_box()
        assert last is not None
        assert last["x"] >= 0, last  # the last column, scrolled to
        assert last["x"] + last["width"] <= 390, last
        assert await page.evaluate("() => window.scrollX") == 0
        assert await axe_violations(page) == []
        shot = screenshot_path("dashboard-390.png")
        shot.unlink(missing_ok=True)
        await page.screenshot(path=str(shot), full_page=True)
        assert shot.read_bytes().startswith(PNG_SIGNATURE)
    finally:
        await context.close()


async def test_bad_filters_answer_422_like_the_json_api(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.base_url) as client:
        for params, field_name in (
            ({"from": f"{YEAR}-13-01"}, "from"),
            ({"from": f"{YEAR}-06-02", "to": f"{YEAR}-06-01"}, "to"),
            ({"province": "6213"}, "province"),
            ({"regency": "62-13"}, "regency"),
            ({"district": "62.13"}, "district"),
            ({"regency": "62.14", "district": "62.13.01"}, "district"),
            ({"lang": "fr"}, "lang"),
        ):
            response = await client.get("/dashboard", params=params)
            assert response.status_code == 422, params
            assert ["query", field_name] in [item["loc"] for item in response.json()["detail"]], response.text
        # An empty field of the form is no filter; Accept-Language chooses the language when `lang` is absent.
        empty = await client.get("/dashboard", params={"from": "", "to": "", "province": PROVINCE, "regency": ""},
                                 headers={"Accept-Language": "en-GB,en;q=0.9"})
        assert empty.status_code == 200, empty.text
        assert '<html lang="en">' in empty.text
        assert "<script" not in empty.text
