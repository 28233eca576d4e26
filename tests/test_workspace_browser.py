"""The workspace in Chromium, signed in through the real OIDC provider's sign-in page (never a token or header
put in by the test): a UPTD PPA staff member sees a report posted a moment earlier in the inbox, opens it,
accepts it, adds a note, starts the service and completes it; a second agency's person sees none of it, in the
inbox or at the referral's URL; after sign-out the back button shows nothing of the case. axe-core runs in every
page (no serious or critical violation) and no page breaks its Content-Security-Policy; screenshots at 390 px
and at desktop width go to .run/screenshots."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from playwright.async_api import BrowserContext, Page, expect
from playwright.async_api import Error as PlaywrightError

from sinergi_local.platform import Platform
from sinergi_local.seed import seed_directory
from tests.accessibility import axe_violations
from tests.browser import chromium, screenshot_path

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

STAFF, OTHER = "agency_staff.uptd-ppa-62.13", "agency_staff.uptd-ppa-62.71"
VICTIM = "Kenanga Peramban Uji"
NOTE = "Sudah dihubungi lewat telepon; kunjungan rumah hari Kamis."
FOLLOW_UP = "Kunjungan rumah bersama pendamping hukum."
REPORT: dict[str, Any] = {
    "incident": {"precision": "unknown"},
    "location": {"province_code": "62", "regency_code": "62.13", "place": "rumah_tangga"},
    # Ongoing danger makes it P1: first in an inbox that other tests of the session may have filled.
    "violence_types": ["psikis"], "victims": [{"sex": "perempuan", "age": 15, "name": VICTIM}],
    "ongoing_danger": True,
    "reporter": {"anonymous": True, "relation": "tetangga"}, "narrative": "laporan uji peramban",
}
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}


class Visit:
    """One person's browser: every workspace page it shows is checked by axe and for CSP violations."""

    def __init__(self, context: BrowserContext, page: Page, base: str) -> None:
        self.context, self.page, self.base = context, page, base
        self.csp_errors: list[str] = []
        page.on("console", lambda message: self.csp_errors.append(message.text)
                if "Content Security Policy" in message.text and page.url.startswith(base) else None)

    async def check(self, name: str) -> None:
        assert self.page.url.startswith(self.base), self.page.url
        assert await axe_violations(self.page) == [], name
        assert self.csp_errors == [], self.csp_errors
        # Light: the page and everything it loads, uncompressed, as a cold cache would fetch it.
        weight = await self.page.evaluate(
            "() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
            ".reduce((sum, entry) => sum + entry.decodedBodySize, 0)")
        assert weight < 100_000, f"{name} weighs {weight} bytes"
        origins = await self.page.evaluate(
            "() => performance.getEntriesByType('resource').map(entry => new URL(entry.name).origin)")
        assert set(origins) <= {self.base}, f"{name} loads from elsewhere: {set(origins)}"
        for size, suffix in ((DESKTOP, "desktop"), (PHONE, "390")):
            await self.page.set_viewport_size(size)
            await self.page.screenshot(path=screenshot_path(f"workspace-{name}-{suffix}.png"), full_page=True)
            if size is PHONE:  # one column: nothing wider than the phone
                width = await self.page.evaluate("document.documentElement.scrollWidth")
                assert width <= PHONE["width"], f"{name} scrolls sideways at 390 px ({width})"
        await self.page.set_viewport_size(DESKTOP)


async def sign_in(context: BrowserContext, platform: Platform, username: str, path: str = "/inbox") -> Visit:
    """Ask for ``path``, sign in at the provider's own page as ``username``, and land back on ``path``."""
    page = await context.new_page()
    visit = Visit(context, page, platform.url("workspace"))
    await page.goto(f"{platform.url('workspace')}{path}")
    await expect(page.locator("#username")).to_be_visible()  # the provider's own sign-in page
    assert page.url.startswith(platform.identity.issuer)  # type: ignore[union-attr]
    await page.fill("#username", username)
    await page.fill("#password", platform.identity.demo_password())  # type: ignore[union-attr]
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{platform.url('workspace')}{path}")  # back to the page asked for
    return visit


async def settled_content(page: Page) -> str:
    """The page's HTML once it has stopped navigating (back, then the redirects to sign-in)."""
    for _ in range(50):
        try:
            await page.wait_for_load_state("networkidle")
            return await page.content()
        except PlaywrightError:
            await asyncio.sleep(0.2)
    return await page.content()


async def _lead(platform: Platform, case_id: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=10) as client:
        for _ in range(300):
            answer = await client.get(f"{platform.url('routing')}/v1/cases/{case_id}/referrals",
                                      headers=platform.demo_bearer("province_admin.62"))
            lead = next((r for r in answer.json() if r["is_lead"]), None) if answer.status_code == 200 else None
            if lead:
                return lead
            await asyncio.sleep(0.2)
    raise AssertionError("routing made no referral")


async def test_a_caseworker_works_a_referral_and_nobody_else_sees_it(signed_platform: Platform) -> None:
    platform = signed_platform
    seed_directory(platform)
    async with chromium() as browser:
        staff_context = await browser.new_context(viewport=DESKTOP, locale="id-ID")
        staff = await sign_in(staff_context, platform, STAFF)
        page = staff.page
        await staff.check("inbox-empty")

        await page.wait_for_function("document.readyState === 'complete'")
        async with httpx.AsyncClient(timeout=30) as client:
            accepted = (await client.post(f"{platform.url('intake')}/v1/reports", json=REPORT)).json()
        case_number = accepted["case_number"]
        lead = await _lead(platform, accepted["case_id"])
        assert lead["agency_id"] == "uptd-ppa-62.13"
        row = page.locator(f"a:has-text('{case_number}')")
        # No reload: the live inbox (server-sent events, then the page's script) shows it and says so.
        await expect(row).to_be_visible(timeout=30_000)
        await expect(page.locator("#live")).to_contain_text("Daftar diperbarui")
        await staff.check("inbox")

        await row.click()
        await expect(page.locator("h1")).to_contain_text(case_number)
        await expect(page.locator("main")).to_contain_text(VICTIM)
        referral_url = page.url
        await staff.check("referral")

        await page.click("text=Terima rujukan")
        await expect(page.locator("[role=status]")).to_contain_text("Anda telah menerima rujukan.")
        await page.fill("#note", NOTE)
        await page.click("text=Simpan catatan")
        await expect(page.locator(".notes").first).to_contain_text(NOTE)
        await page.fill("#due_date", "31/13/2027")  # day first, as written in Indonesia: there is no 13th month
        await page.fill("#follow_up_note", FOLLOW_UP)
        await page.click("text=Simpan tindak lanjut")
        await expect(page.locator(".error-summary")).to_be_focused()
        await expect(page.locator("#due_date")).to_have_value("31/13/2027")
        await staff.check("referral-date-error")
        in_two_days = date.today() + timedelta(days=2)  # noqa: DTZ011 - a form's date
        await page.fill("#due_date", in_two_days.strftime("%d/%m/%Y"))
        await page.click("text=Simpan tindak lanjut")
        await expect(page.locator("[role=status]")).to_contain_text("Tindak lanjut telah dijadwalkan.")
        await expect(page.locator("main")).to_contain_text(FOLLOW_UP)
        await page.click("text=Mulai layanan")
        await expect(page.locator("[role=status]")).to_contain_text("Anda telah memulai layanan.")
        await page.click("text=Selesaikan rujukan")  # nothing chosen: the error summary, focused
        await expect(page.locator(".error-summary")).to_be_focused()
        await staff.check("referral-error")
        await page.check("input[value=kesehatan]")
        await page.click("text=Selesaikan rujukan")
        await expect(page.locator("[role=status]")).to_contain_text("Anda telah menyelesaikan rujukan.")
        await staff.check("referral-completed")

        other_context = await browser.new_context(viewport=DESKTOP, locale="id-ID")
        other = await sign_in(other_context, platform, OTHER)
        await expect(other.page.locator("main")).not_to_contain_text(case_number)
        await other.page.goto(referral_url)
        await expect(other.page.locator("h1")).to_be_visible()
        content = await other.page.content()
        assert VICTIM not in content
        assert case_number not in content
        await other.check("referral-not-found")

        # The district supervisor of 62.13: the regency's inbox with the case, its page without an agency's forms.
        district = await sign_in(await browser.new_context(viewport=DESKTOP, locale="id-ID"), platform,
                                 "district_supervisor.62.13")
        await expect(district.page.locator("h1")).to_contain_text("62.13")
        await expect(district.page.locator(f"a:has-text('{case_number}')")).to_be_visible()
        await district.check("inbox-district")
        await district.page.goto(referral_url)
        await expect(district.page.locator("h1")).to_contain_text(case_number)
        assert VICTIM not in await district.page.content()
        assert NOTE not in await district.page.content()
        # Who wrote the note and when, not what it says: that is the agency's to read.
        await expect(district.page.locator(".notes").first).to_contain_text("Hanya lembaga yang menangani kasus")
        assert await district.page.locator("form[action*='/referrals/']").count() == 0
        await district.check("referral-district")
        # A role the workspace has no pages for yet is told so.
        national = await sign_in(await browser.new_context(viewport=DESKTOP, locale="id-ID"), platform,
                                 "national_admin")
        await expect(national.page.locator("h1")).to_contain_text("belum memiliki halaman untuk peran Anda")
        await national.check("not-yet")

        await page.click("text=Keluar")
        await page.click("button[value=yes]")  # the provider asks to confirm its own sign-out
        await page.wait_for_load_state()
        for _ in range(4):
            refused = ""
            try:
                await page.go_back()
            except PlaywrightError as error:  # a page made by a form post: Chromium will not show it again
                refused = error.message
            assert refused in {"", *[m for m in (refused,) if "ERR_CACHE_MISS" in m]}
            shown = await settled_content(page)
            assert VICTIM not in shown
            assert case_number not in shown
            assert NOTE not in shown
