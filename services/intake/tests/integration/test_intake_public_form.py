"""The public report form (``GET /lapor``) in a real browser: Debian's Chromium driven by Playwright, against an
intake served over HTTP by uvicorn with the real Postgres and broker behind it."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest
from fastapi import FastAPI
from playwright.async_api import Browser, Page, Response, expect
from sqlalchemy import text

from intake.app import create_app
from intake.settings import IntakeSettings
from shared.access import SERVICE_CONTEXT
from tests.browser import PNG_SIGNATURE, chromium, screenshot_path, served_over_http

pytestmark = pytest.mark.integration

SCREENSHOT = screenshot_path("lapor.png")
CASE_NUMBER = re.compile(r"^6213-\d{4}-\d{5}$")


@dataclass
class Served:
    base_url: str
    app: FastAPI


@dataclass
class FormPage:
    page: Page
    base_url: str
    errors: list[str] = field(default_factory=list)  # uncaught script errors, console errors, failed requests

    async def open(self) -> Response:
        """Load the form and wait until its script has filled the province list from ``GET /v1/regions``."""
        async with self.page.expect_response(lambda r: r.url.endswith("/v1/regions")) as regions:
            response = await self.page.goto(f"{self.base_url}/lapor")
        assert (await regions.value).status == 200
        await self.page.wait_for_selector('#provinsi option[value="62"]', state="attached")
        assert response is not None
        return response

    async def submit(self) -> Response:
        """Click "Kirim laporan" and return the answer to the ``POST /v1/reports`` it sends."""
        async with self.page.expect_response(
            lambda r: r.url.endswith("/v1/reports") and r.request.method == "POST"
        ) as answer:
            await self.page.click("#kirim")
        response = await answer.value
        await expect(self.page.locator("#kirim")).to_be_enabled()  # the script's `finally` ran: the page is done
        return response

    def assert_no_script_errors(self, *, allowed: tuple[str, ...] = ()) -> None:
        unexpected = [error for error in self.errors if not any(part in error for part in allowed)]
        assert not unexpected, unexpected


@pytest.fixture(scope="module")
async def served(make_settings: Callable[..., IntakeSettings]) -> AsyncIterator[Served]:
    app = create_app(make_settings(IntakeSettings, "intake"))
    async with served_over_http(app) as base_url:  # uvicorn runs the app's lifespan
        yield Served(base_url=base_url, app=app)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


@pytest.fixture
async def form(browser: Browser, served: Served) -> AsyncIterator[FormPage]:
    context = await browser.new_context(viewport={"width": 900, "height": 900})
    context.set_default_timeout(20_000)
    page = await context.new_page()
    opened = FormPage(page=page, base_url=served.base_url)
    page.on("pageerror", lambda error: opened.errors.append(f"pageerror: {error}"))
    # Chromium logs each failed request to the console without its address; record the request itself instead.
    page.on("console", lambda message: opened.errors.append(f"console: {message.text}")
            if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
    page.on("response", lambda response: opened.errors.append(f"HTTP {response.status} {response.url}")
            if response.status >= 400 else None)
    try:
        yield opened
    finally:
        await context.close()


async def _fetch_case(app: FastAPI, case_id: UUID) -> dict[str, Any] | None:
    async with app.state.runtime.unit_of_work(SERVICE_CONTEXT) as uow:
        row = (await uow.session.execute(
            text("SELECT case_number, channel, priority, triage_reasons, recorded_by, facts::text AS facts "
                 "FROM intake.cases WHERE case_id = :id"),
            {"id": case_id},
        )).mappings().one_or_none()
        if row is None:
            return None
        personal = dict((await uow.session.execute(
            text("SELECT field, ciphertext FROM intake.case_personal_fields WHERE case_id = :id"), {"id": case_id}
        )).all())
    return {**row, "personal": personal}


async def _count_cases(app: FastAPI, regency_code: str) -> int:
    async with app.state.runtime.unit_of_work(SERVICE_CONTEXT) as uow:
        return (await uow.session.execute(
            text("SELECT count(*) FROM intake.cases WHERE regency_code = :regency"), {"regency": regency_code}
        )).scalar_one()


async def _choose_region(page: Page, province: str, regency: str) -> None:
    await page.select_option("#provinsi", province)
    await page.wait_for_selector(f'#kabupaten option[value="{regency}"]', state="attached")
    await page.select_option("#kabupaten", regency)


async def test_a_person_reports_in_the_browser_and_gets_a_case_number(form: FormPage, served: Served) -> None:
    narrative = f"Uji peramban {uuid.uuid4().hex[:8]}: anak perempuan dilecehkan oleh tetangga di sekolah."
    phone = "0812-5555-0199"
    page = form.page
    await form.open()

    await page.fill("#tanggal", (date.today() - timedelta(days=3)).isoformat())  # noqa: DTZ011 - a calendar day
    await _choose_region(page, "62", "62.13")
    await page.select_option("#tempat", "sekolah")
    await page.check('input[name=jenis][value="seksual"]')
    await page.check("#bahaya")
    await page.check('input[name=korban_jk][value="perempuan"]')
    await page.fill("#korban_usia", "12")
    await page.fill("#cerita", narrative)
    await page.select_option("#hubungan", "tetangga")
    await page.fill("#pelapor_telepon", phone)

    response = await form.submit()
    assert response.status == 201, await response.text()
    accepted = await response.json()
    sent = json.loads(response.request.post_data or "{}")
    assert sent["channel"] == "web"
    assert sent["ongoing_danger"] is True
    assert sent["victims"][0]["age"] == 12

    result = page.locator("#hasil")
    await expect(result).to_have_class("ok")
    await expect(result).to_contain_text("Terima kasih")
    number = (await page.locator("#hasil #nomor").text_content() or "").strip()
    assert CASE_NUMBER.match(number), number
    assert number == accepted["case_number"]
    await expect(page.locator("#lapor")).to_be_hidden()

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > len(PNG_SIGNATURE)
    assert SCREENSHOT.read_bytes().startswith(PNG_SIGNATURE)
    form.assert_no_script_errors()

    case_id = UUID(accepted["case_id"])
    stored = await _fetch_case(served.app, case_id)
    assert stored is not None
    assert stored["case_number"] == number
    assert stored["channel"] == "web"
    assert stored["priority"] == "P1"
    assert {"ongoing_danger", "child_sexual_violence"} <= set(stored["triage_reasons"])
    assert stored["recorded_by"] is None  # the public, not staff
    assert narrative not in stored["facts"]
    assert phone not in stored["facts"]
    ciphertext = stored["personal"]["narrative"]
    assert ciphertext.startswith("v1:")
    assert narrative not in ciphertext
    assert served.app.state.cipher.decrypt(ciphertext, case_id=case_id, field="narrative") == narrative
    assert phone not in stored["personal"]["reporter.phone"]


async def test_missing_answers_are_explained_in_indonesian_next_to_the_fields(
    form: FormPage, served: Served
) -> None:
    regency = "62.71"  # a regency no other test here reports in
    before = await _count_cases(served.app, regency)
    page = form.page
    await form.open()
    await _choose_region(page, "62", regency)
    await page.fill("#pelapor_telepon", "0812-5555-0100")

    response = await form.submit()
    assert response.status == 422
    assert response.headers.get("content-language") == "id"
    failed = {".".join(str(part) for part in item["loc"]) for item in (await response.json())["detail"]}
    assert {"body.violence_types", "body.victims.0.sex", "body.narrative"} <= failed

    result = page.locator("#hasil")
    await expect(result).to_have_class("gagal")
    await expect(result).to_contain_text("Periksa kembali isian yang ditandai.")
    for field_path, message in (
        ("violence_types", "Harus berisi minimal 1 item."),
        ("victims.0.sex", "Wajib diisi."),  # not the enum codes 'perempuan' atau 'laki_laki'
        ("narrative", "Tidak boleh kosong."),
    ):
        error = page.locator(f'.error[data-for="{field_path}"]')
        await expect(error).not_to_be_empty()
        await expect(error).to_contain_text(message)
        assert not re.search(r"\b(Field|Must|Input|should)\b|_", await error.inner_text()), field_path
    for untouched in ("location.province_code", "location.regency_code", "reporter.phone", "victims.0.age"):
        await expect(page.locator(f'.error[data-for="{untouched}"]')).to_be_empty()
    await expect(page.locator("#lapor")).to_be_visible()  # the form stays, with what was filled in
    await expect(page.locator("#kabupaten")).to_have_value(regency)
    await expect(page.locator("#nomor")).to_have_count(0)
    form.assert_no_script_errors(allowed=(f"HTTP 422 {served.base_url}/v1/reports",))

    assert await _count_cases(served.app, regency) == before


async def test_the_form_is_indonesian_needs_no_login_and_accepts_anonymous_reports(
    form: FormPage, served: Served
) -> None:
    page = form.page
    opened = await form.open()
    assert opened.status == 200  # no login, no redirect
    assert opened.request.redirected_from is None
    assert "authorization" not in opened.request.headers
    assert await page.get_attribute("html", "lang") == "id"
    assert await page.title() == "Laporkan Kekerasan terhadap Perempuan dan Anak - Sinergi"
    await expect(page.locator("h1")).to_have_text("Laporkan kekerasan terhadap perempuan dan anak")
    for control, label in (
        ("tanggal", "Tanggal kejadian"), ("provinsi", "Provinsi"), ("kabupaten", "Kabupaten/Kota"),
        ("tempat", "Tempat kejadian"), ("cerita", "Kronologi singkat"), ("hubungan", "Hubungan Anda dengan korban"),
    ):
        await expect(page.locator(f'label[for="{control}"]')).to_have_text(label)
    await expect(page.locator("#kirim")).to_have_text("Kirim laporan")
    await expect(page.locator("#provinsi option").first).to_have_text("Pilih provinsi")
    await expect(page.locator("label", has=page.locator("#anonim"))).to_contain_text("anonim")

    # Whatever was typed as contact before choosing "anonim" is hidden and not sent.
    await page.fill("#pelapor_nama", "Nama Yang Tidak Dikirim")
    await page.fill("#pelapor_telepon", "0812-5555-0177")
    await expect(page.locator("#kontak")).to_be_visible()
    await page.check("#anonim")
    await expect(page.locator("#kontak")).to_be_hidden()
    await expect(page.locator("#pelapor_telepon")).to_be_hidden()
    await expect(page.locator("#pelapor_nama")).to_be_hidden()

    await page.check("#tanggal_tidak_tahu")
    await expect(page.locator("#tanggal")).to_be_disabled()
    await _choose_region(page, "62", "62.13")
    await page.select_option("#tempat", "rumah_tangga")
    await page.check('input[name=jenis][value="psikis"]')
    await page.check('input[name=korban_jk][value="perempuan"]')
    await page.fill("#cerita", "Laporan anonim uji peramban: tetangga sering dimarahi dan diancam suaminya.")
    await page.select_option("#hubungan", "tetangga")

    response = await form.submit()
    assert response.status == 201, await response.text()
    assert "authorization" not in response.request.headers
    sent = json.loads(response.request.post_data or "{}")
    assert sent["reporter"] == {"anonymous": True, "relation": "tetangga"}
    assert sent["incident"] == {"precision": "unknown"}
    await expect(page.locator("#hasil")).to_contain_text("Terima kasih")
    assert CASE_NUMBER.match((await page.locator("#nomor").text_content() or "").strip())
    form.assert_no_script_errors()

    stored = await _fetch_case(served.app, UUID((await response.json())["case_id"]))
    assert stored is not None
    assert stored["channel"] == "web"
    assert json.loads(stored["facts"])["reporter"]["anonymous"] is True
    assert not [path for path in stored["personal"] if path.startswith("reporter.")]


async def test_the_regency_list_follows_the_chosen_province(form: FormPage) -> None:
    page = form.page
    async with page.expect_response(lambda r: r.url.endswith("/v1/regions")) as answer:
        await page.goto(f"{form.base_url}/lapor")
    regions = (await (await answer.value).json())["regions"]
    await page.wait_for_selector('#provinsi option[value="62"]', state="attached")
    provinces = [r["code"] for r in regions if r["kind"] == "province"]
    province_options = await page.locator("#provinsi option").evaluate_all("options => options.map(o => o.value)")
    assert province_options == ["", *provinces]
    # Before a province is chosen there is nothing to choose from.
    assert await page.locator("#kabupaten option").evaluate_all("os => os.map(o => o.value)") == [""]

    for province in ("62", "31", "62"):
        await page.select_option("#provinsi", province)
        expected = [r["code"] for r in regions if r["kind"] != "province" and r["code"].startswith(f"{province}.")]
        assert expected
        await expect(page.locator("#kabupaten option")).to_have_count(len(expected) + 1)
        values = await page.locator("#kabupaten option").evaluate_all("options => options.map(o => o.value)")
        assert values[0] == ""  # "Pilih kabupaten/kota"
        assert values[1:] == expected
        assert all(value.startswith(f"{province}.") for value in values[1:]), values
    await expect(page.locator('#kabupaten option[value="62.13"]')).to_have_text("Kabupaten Barito Timur")
    form.assert_no_script_errors()



async def test_an_unchosen_province_and_regency_are_called_required_not_a_code_format(
    form: FormPage, served: Served
) -> None:
    page = form.page
    await form.open()
    await page.check('input[name=jenis][value="fisik"]')
    await page.check('input[name=korban_jk][value="laki_laki"]')
    await page.fill("#cerita", "Uji peramban: wilayah belum dipilih.")
    await page.fill("#pelapor_telepon", "0812-5555-0111")

    response = await form.submit()
    assert response.status == 422
    sent = json.loads(response.request.post_data or "{}")
    assert "province_code" not in sent["location"]
    assert "regency_code" not in sent["location"]
    for field_path in ("location.province_code", "location.regency_code"):
        error = page.locator(f'.error[data-for="{field_path}"]')
        await expect(error).to_have_text("Wajib diisi.")  # not "Formatnya tidak sesuai (pola ^\\d{2}$)."
    for other in ("violence_types", "victims.0.sex", "narrative", "reporter.phone"):
        await expect(page.locator(f'.error[data-for="{other}"]')).to_be_empty()

    # Choosing a province alone still leaves the regency to choose.
    await page.select_option("#provinsi", "62")
    await form.submit()
    await expect(page.locator('.error[data-for="location.province_code"]')).to_be_empty()
    await expect(page.locator('.error[data-for="location.regency_code"]')).to_have_text("Wajib diisi.")
    form.assert_no_script_errors(allowed=(f"HTTP 422 {served.base_url}/v1/reports",))
