"""The public report form (``/lapor``) and the reporter's status page in a real browser with JavaScript turned
off: Debian's Chromium driven by Playwright, against an intake served over HTTP by uvicorn with the real Postgres
and broker behind it. Every page is checked by axe and shot at 390 px and desktop width (.run/screenshots)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from playwright.async_api import Browser, Page, Response, expect
from sqlalchemy import text

from intake.app import create_app
from intake.service_layer.handlers import record_referral
from intake.settings import IntakeSettings
from shared.access import SERVICE_CONTEXT
from shared.auth import Role
from shared.contracts import ReferralCreated
from tests.accessibility import axe_violations
from tests.browser import PNG_SIGNATURE, chromium, screenshot_path, served_over_http

pytestmark = pytest.mark.integration

CASE_NUMBER = re.compile(r"^6213-\d{4}-\d{5}$")
CODE = re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$")
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}
VILLAGE = "62.13.01.2003"  # Pulau Patai, kecamatan Dusun Timur, Kabupaten Barito Timur
Bearer = Callable[..., dict[str, str]]


@dataclass
class Served:
    base_url: str
    app: FastAPI


@dataclass
class FormPage:
    page: Page  # JavaScript off, as the person's browser
    mirror: Page  # JavaScript on, for axe and measurements only: it is shown the page's HTML as it is
    base_url: str
    problems: list[str] = field(default_factory=list)  # failed requests other than the form's own 4xx answers
    requested: list[str] = field(default_factory=list)

    async def open(self, path: str = "/lapor") -> Response:
        response = await self.page.goto(f"{self.base_url}{path}")
        assert response is not None
        return response

    async def press(self, button: str) -> Response:
        """Press ``button`` (a plain form submit: there is no script) and return the page it loads."""
        async with self.page.expect_navigation() as navigation:
            await self.page.click(button)
        response = await navigation.value
        assert response is not None
        return response

    async def check(self, name: str) -> None:
        """axe finds no serious or critical violation; the page loads nothing from elsewhere and has no script;
        shot at desktop width and at 390 px, where nothing scrolls sideways.

        axe runs in the mirror: with JavaScript off, Chromium never settles the promise axe.run returns."""
        await self.mirror.set_viewport_size(DESKTOP)
        await self.mirror.set_content(await self.page.content())
        assert await axe_violations(self.mirror) == [], name
        assert [url for url in self.requested if not url.startswith(self.base_url)] == [], name
        assert await self.page.locator("script").count() == 0
        for size, suffix in ((DESKTOP, "desktop"), (PHONE, "390")):
            await self.page.set_viewport_size(size)
            path = screenshot_path(f"lapor-{name}-{suffix}.png")
            path.parent.mkdir(parents=True, exist_ok=True)
            await self.page.screenshot(path=str(path), full_page=True)
            assert path.read_bytes().startswith(PNG_SIGNATURE)
        await self.mirror.set_viewport_size(PHONE)
        width = await self.mirror.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{name} scrolls sideways at 390 px ({width})"
        await self.page.set_viewport_size(DESKTOP)


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
    # No JavaScript: every step of the form and the status page must work as plain HTML forms.
    context = await browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    context.set_default_timeout(20_000)
    page = await context.new_page()
    mirror_context = await browser.new_context(viewport=DESKTOP)
    opened = FormPage(page=page, mirror=await mirror_context.new_page(), base_url=served.base_url)
    page.on("request", lambda request: opened.requested.append(request.url))
    page.on("response", lambda response: opened.problems.append(f"HTTP {response.status} {response.url}")
            if response.status >= 400 and response.status not in (409, 422) else None)
    try:
        yield opened
    finally:
        assert opened.problems == [], opened.problems
        await context.close()
        await mirror_context.close()


async def _fetch_case(app: FastAPI, case_number: str) -> dict[str, Any]:
    async with app.state.runtime.unit_of_work(SERVICE_CONTEXT) as uow:
        row = (await uow.session.execute(
            text("SELECT case_id, channel, priority, triage_reasons, recorded_by, facts::text AS facts "
                 "FROM intake.cases WHERE case_number = :number"),
            {"number": case_number},
        )).mappings().one()
        personal = dict((await uow.session.execute(
            text("SELECT field, ciphertext FROM intake.case_personal_fields WHERE case_id = :id"),
            {"id": row["case_id"]},
        )).all())
    return {**row, "personal": personal}


async def _count_cases(app: FastAPI, regency_code: str) -> int:
    async with app.state.runtime.unit_of_work(SERVICE_CONTEXT) as uow:
        return (await uow.session.execute(
            text("SELECT count(*) FROM intake.cases WHERE regency_code = :regency"), {"regency": regency_code}
        )).scalar_one()


async def _choose_regions(form: FormPage, *codes: str) -> None:
    """Choose province, regency, kecamatan and desa in turn, each offered by a round trip to the server."""
    for control, code in zip(("#provinsi", "#kabupaten", "#kecamatan", "#desa"), codes, strict=False):
        await form.page.select_option(control, code)
        await form.press("#tampilkan-wilayah")


async def test_an_error_filled_submit_then_a_corrected_one_down_to_the_desa_then_the_status_page(
    form: FormPage, served: Served, bearer: Bearer
) -> None:
    page = form.page
    opened = await form.open()
    assert opened.status == 200  # no login, no redirect
    assert "authorization" not in opened.request.headers
    assert await page.get_attribute("html", "lang") == "id"
    await form.check("form")
    narrative = f"Uji peramban {uuid.uuid4().hex[:8]}: anak perempuan dilecehkan oleh tetangga di sekolah."
    phone = "0812-5555-0199"

    # An error-filled submit: the province and regency chosen, the place, the kind and the sex not.
    await _choose_regions(form, "62", "62.13")
    await page.fill("#alamat", "Dekat masjid")
    await page.fill("#cerita", narrative)
    answer = await form.press("#kirim")
    assert answer.status == 422
    summary = page.locator("#error-summary")
    await expect(summary).to_be_focused()  # focus moved to the summary, without any script
    await expect(summary.locator("a")).to_have_text([
        "Tempat kejadian: Wajib diisi.",
        "Bentuk kekerasan (boleh lebih dari satu): Harus berisi minimal 1 item.",
        "Jenis kelamin korban: Wajib diisi.",
        "Nomor telepon/WhatsApp agar petugas dapat menghubungi: Isi nomor telepon atau email agar dapat "
        "dihubungi, atau laporkan secara anonim.",
    ])
    await expect(page.locator("#tempat-error")).to_contain_text("Wajib diisi.")
    await expect(page.locator("#tempat")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#alamat")).not_to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#alamat-error")).to_have_count(0)  # not under the optional address
    await expect(page.locator("#cerita")).to_have_value(narrative)  # what was typed is kept
    await expect(page.locator("#alamat")).to_have_value("Dekat masjid")
    await expect(page.locator("#kabupaten")).to_have_value("62.13")
    await form.check("errors")
    await summary.locator('a[href="#tempat"]').click()
    await expect(page.locator("#tempat")).to_be_focused()

    # Corrected, down to the desa.
    await _choose_regions(form, "62", "62.13", "62.13.01", VILLAGE)
    await expect(page.locator("#desa")).to_have_value(VILLAGE)
    await page.fill("#tanggal", (date.today() - timedelta(days=3)).isoformat())  # noqa: DTZ011 - a calendar day
    await page.select_option("#tempat", "sekolah")
    await page.check("#jenis-seksual")
    await page.check("#bahaya")
    await page.check("#korban_jk-perempuan")
    await page.fill("#korban_usia", "12")
    await page.select_option("#hubungan", "tetangga")
    await page.fill("#pelapor_telepon", phone)
    answer = await form.press("#kirim")
    assert answer.status == 201
    await expect(page.locator("#hasil")).to_be_focused()
    await expect(page.locator("h1")).to_have_text("Terima kasih, laporan Anda sudah kami terima")
    number = (await page.locator("#nomor").text_content() or "").strip()
    code = (await page.locator("#kode").text_content() or "").strip()
    assert CASE_NUMBER.match(number), number
    assert CODE.match(code), code
    await form.check("sent")

    stored = await _fetch_case(served.app, number)
    assert stored["channel"] == "web"
    assert stored["recorded_by"] is None  # the public, not staff
    assert stored["priority"] == "P1"
    assert {"ongoing_danger", "child_sexual_violence"} <= set(stored["triage_reasons"])
    assert json.loads(stored["facts"])["location"]["village_code"] == VILLAGE
    assert narrative not in stored["facts"]
    assert phone not in stored["facts"]
    case_id = stored["case_id"]
    assert served.app.state.cipher.decrypt(stored["personal"]["narrative"], case_id=case_id, field="narrative") \
        == narrative

    # The status page: number and code posted, never in the address.
    tag = uuid.uuid4().hex[:8]
    lead_agency = f"uptd-{tag}"
    await record_referral(ReferralCreated(
        case_id=case_id, referral_id=uuid.uuid4(), agency_id=lead_agency, agency_type="uptd_ppa", is_lead=True,
        province_code="62", regency_code="62.13", rule="test", reason="test",
    ), served.app.state.runtime.unit_of_work(SERVICE_CONTEXT))
    await page.click("text=Sudah melapor? Lihat status laporan Anda")
    await expect(page.locator("h1")).to_have_text("Status laporan Anda")
    await form.check("status-form")
    await page.fill("#nomor", number)
    await page.fill("#kode", "AAAA-BBBB-CCCC")
    answer = await form.press("#lihat-status")
    assert answer.status == 422
    await expect(page.locator("#error-summary")).to_be_focused()
    await expect(page.locator("#error-summary a")).to_have_text(
        "Nomor laporan atau kode rahasia tidak cocok. Periksa keduanya dan coba lagi.")
    await expect(page.locator("#nomor")).to_have_value(number)
    await expect(page.locator("#kode")).to_have_value("")  # the code is never sent back
    await form.check("status-wrong")
    await page.fill("#kode", code)
    answer = await form.press("#lihat-status")
    assert answer.status == 200
    assert code not in page.url
    assert number not in page.url
    await expect(page.locator("#tahap")).to_have_text("Laporan sudah dirujuk ke lembaga layanan.")
    await expect(page.locator("main")).not_to_contain_text(lead_agency)
    await form.check("status")

    # Adding information: empty first, then written.
    answer = await form.press("#kirim-informasi")
    assert answer.status == 422
    await expect(page.locator("#error-summary")).to_be_focused()
    await expect(page.locator("#informasi")).to_have_attribute("aria-invalid", "true")
    information = f"Pelaku sekarang tinggal di rumah sebelah {tag}."
    await page.fill("#informasi", information)
    answer = await form.press("#kirim-informasi")
    assert answer.status == 200
    await expect(page.locator("#terkirim")).to_have_text(
        "Terima kasih. Informasi Anda sudah diteruskan kepada petugas yang menangani.")
    await form.check("information-sent")

    # The information reaches the case, for its lead agency, as a note from the reporter.
    lead = bearer(Role.AGENCY_STAFF, user_id=f"staff-{tag}", agency_id=lead_agency, agency_type="uptd_ppa")
    async with httpx.AsyncClient(base_url=served.base_url) as client:
        notes = (await client.get(f"/v1/cases/{case_id}/notes", headers=lead)).json()
    assert [(n["note"], n["from_reporter"]) for n in notes] == [(information, True)]


async def test_the_form_is_indonesian_first_with_an_english_switch_and_takes_anonymous_reports(
    form: FormPage, served: Served
) -> None:
    page = form.page
    await form.open()
    assert await page.title() == "Laporkan Kekerasan terhadap Perempuan dan Anak - Sinergi"
    await expect(page.locator("h1")).to_have_text("Laporkan kekerasan terhadap perempuan dan anak")
    for control, label in (
        ("tanggal", "Tanggal kejadian"), ("provinsi", "Provinsi"), ("kabupaten", "Kabupaten/Kota"),
        ("tempat", "Tempat kejadian"), ("cerita", "Kronologi singkat"), ("hubungan", "Hubungan Anda dengan korban"),
    ):
        await expect(page.locator(f'label[for="{control}"]')).to_have_text(label)
    await expect(page.locator("#kirim")).to_have_text("Kirim laporan")
    await expect(page.locator("#provinsi option").first).to_have_text("Pilih provinsi")

    # Whatever was typed as contact before choosing "anonim" is not sent: anonymity wins.
    await page.check("#tanggal_tidak_tahu")
    await _choose_regions(form, "62", "62.13")
    await page.select_option("#tempat", "rumah_tangga")
    await page.check("#jenis-psikis")
    await page.check("#korban_jk-perempuan")
    await page.fill("#cerita", "Laporan anonim uji peramban: tetangga sering dimarahi dan diancam suaminya.")
    await page.select_option("#hubungan", "tetangga")
    await page.check("#anonim")
    await page.fill("#pelapor_nama", "Nama Yang Tidak Dikirim")
    await page.fill("#pelapor_telepon", "0812-5555-0177")
    assert (await form.press("#kirim")).status == 201
    stored = await _fetch_case(served.app, (await page.locator("#nomor").text_content() or "").strip())
    assert json.loads(stored["facts"])["reporter"]["anonymous"] is True
    assert json.loads(stored["facts"])["incident"] == {"date": None, "precision": "unknown"}
    assert not [path for path in stored["personal"] if path.startswith("reporter.")]

    # English on request.
    await form.open()
    await page.click("text=English")
    assert await page.get_attribute("html", "lang") == "en"
    await expect(page.locator("h1")).to_have_text("Report violence against women and children")
    assert (await form.press("#kirim")).status == 422
    await expect(page.locator("#error-summary h2")).to_have_text("There is a problem")
    await expect(page.locator('#error-summary a[href="#tempat"]')).to_contain_text("Place of the incident")
    await form.check("english-errors")


async def test_unchosen_regions_are_called_required_and_each_level_follows_the_one_above(
    form: FormPage, served: Served
) -> None:
    regency = "62.71"  # a regency no other test here reports in
    before = await _count_cases(served.app, regency)
    page = form.page
    await form.open()
    assert await page.locator("#kabupaten option").evaluate_all("os => os.map(o => o.value)") == [""]
    assert (await form.press("#kirim")).status == 422
    for control in ("provinsi", "kabupaten"):
        await expect(page.locator(f"#{control}-error")).to_contain_text("Wajib diisi.")  # not a code format

    for province in ("62", "31"):
        await page.select_option("#provinsi", province)
        await form.press("#tampilkan-wilayah")
        await expect(page.locator("#kabupaten")).to_be_focused()  # the next level to choose
        values = await page.locator("#kabupaten option").evaluate_all("options => options.map(o => o.value)")
        assert values[0] == ""
        assert values[1:]
        assert all(value.startswith(f"{province}.") for value in values[1:]), values
    await page.select_option("#provinsi", "62")
    await form.press("#tampilkan-wilayah")
    await expect(page.locator('#kabupaten option[value="62.13"]')).to_have_text("Kabupaten Barito Timur")
    await page.select_option("#kabupaten", regency)
    assert (await form.press("#kirim")).status == 422
    await expect(page.locator("#provinsi-error")).to_have_count(0)
    await expect(page.locator("#kabupaten-error")).to_have_count(0)
    await expect(page.locator("#kecamatan option").nth(1)).to_have_attribute("value", re.compile(r"^62\.71\."))
    assert await _count_cases(served.app, regency) == before
