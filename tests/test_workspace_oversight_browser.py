"""The auditor's and the province admin's pages in Chromium, signed in through the real OIDC provider's page:
the auditor of Kalimantan Tengah finds a case by its number, opens its trail and sees its audit chain verify; the
province admin subscribes an agency's webhook, sees its secret once (never again on the subscription's page),
pauses, resumes and deletes it, and downloads the SIMFONI export. axe-core runs on every page checked, with
screenshots at 390 px and at desktop width."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from sinergi_local.platform import Platform
from sinergi_local.seed import seed_directory
from tests.browser import chromium
from tests.test_workspace_browser import DESKTOP, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

VICTIM = "Melati Audit Peramban"
REPORT: dict[str, Any] = {
    "incident": {"precision": "unknown"},
    "location": {"province_code": "62", "regency_code": "62.13", "place": "rumah_tangga"},
    "violence_types": ["psikis"], "victims": [{"sex": "perempuan", "age": 31, "name": VICTIM}],
    "reporter": {"anonymous": True, "relation": "tetangga"}, "narrative": "laporan uji audit peramban",
}
HOOK = "http://127.0.0.1:9/sinergi-hook"  # nothing listens: no delivery leaves the machine




async def _audited_case(platform: Platform) -> dict[str, Any]:
    """A report of 62.13, once reporting holds it in its audit trail."""
    async with httpx.AsyncClient(timeout=30) as client:
        case = (await client.post(f"{platform.url('intake')}/v1/reports", json=REPORT)).json()
        auditor = platform.demo_bearer("auditor.62")
        async with asyncio.timeout(120):
            while True:
                answer = await client.get(f"{platform.url('reporting')}/v1/audit/cases/{case['case_id']}/trail",
                                          headers=auditor)
                if answer.status_code == 200 and answer.json():
                    return dict(case)
                await asyncio.sleep(0.2)


async def test_the_auditor_opens_a_cases_trail_and_sees_the_chain_verify(signed_platform: Platform) -> None:
    platform = signed_platform
    case = await _audited_case(platform)
    async with chromium() as browser:
        auditor = await sign_in(await browser.new_context(viewport=DESKTOP, locale="id-ID"), platform,
                                   "auditor.62", "/")
        page = auditor.page
        await page.click("text=Audit kasus: jejaknya")
        await expect(page.locator("h1")).to_have_text("Audit kasus")
        await auditor.check("audit-find")
        await page.fill("#case", "0000-tidak-ada")
        await page.click("button:has-text('Cari kasus')")
        await expect(page.locator(".error-summary")).to_be_focused()
        await expect(page.locator(".error-summary")).to_contain_text("Tidak ada kasus di provinsi Anda")
        await expect(page.locator("#case")).to_have_value("0000-tidak-ada")
        await auditor.check("audit-find-error")
        await page.fill("#case", case["case_number"])
        await page.click("button:has-text('Cari kasus')")
        await page.wait_for_url(f"**/audit/cases/{case['case_id']}")
        await expect(page.locator("h1")).to_contain_text(case["case_number"])
        await expect(page.locator("#chain")).to_contain_text("Rantai audit utuh.")
        await expect(page.locator("#trail")).to_contain_text("case.reported")
        assert VICTIM not in await page.content()
        await auditor.check("audit-case")


async def test_the_admin_subscribes_a_webhook_and_sees_its_secret_once(signed_platform: Platform) -> None:
    platform = signed_platform
    seed_directory(platform)
    async with chromium() as browser:
        admin = await sign_in(await browser.new_context(viewport=DESKTOP, locale="id-ID", accept_downloads=True),
                                 platform, "province_admin.62", "/")
        page = admin.page
        await page.click("text=Langganan pemberitahuan lembaga di provinsi Anda")
        await expect(page.locator("h1")).to_have_text("Langganan pemberitahuan")
        await admin.check("subscriptions")
        await page.click("text=Tambah langganan")
        await page.select_option("#agency_id", "uptd-ppa-62.13")
        await page.fill("#target", "ftp://ppa.example/hook")
        await page.click("button:has-text('Buat langganan')")
        await expect(page.locator(".error-summary")).to_be_focused()
        await expect(page.locator("#target")).to_have_value("ftp://ppa.example/hook")
        await expect(page.locator("#agency_id")).to_have_value("uptd-ppa-62.13")
        await admin.check("subscription-new-error")
        await page.fill("#target", HOOK)
        await page.click("button:has-text('Buat langganan')")
        await expect(page.locator("#secret")).to_contain_text("hanya ditampilkan kali ini")
        secret = (await page.locator(".secret__value").inner_text()).strip()
        assert len(secret) >= 16
        await admin.check("subscription-secret")
        # Never again: not on the subscription's own page, nor on the list.
        action = await page.locator("form[action$='/pause']").get_attribute("action")
        assert action is not None
        subscription_page = action.removesuffix("/pause")
        await page.click("text=Kembali ke daftar langganan")
        await expect(page.locator(f"a[href='{subscription_page}']")).to_be_visible()
        assert secret not in await page.content()
        await page.click(f"a[href='{subscription_page}']")
        await expect(page.locator("h1")).to_contain_text("Langganan")
        assert secret not in await page.content()
        assert all(secret not in url for url in (page.url, subscription_page))
        await page.click("button:has-text('Jeda langganan')")
        await expect(page.locator("[role=status]")).to_contain_text("Langganan dijeda")
        await admin.check("subscription")
        await page.click("button:has-text('Lanjutkan langganan')")
        await expect(page.locator("[role=status]")).to_contain_text("Langganan dilanjutkan")
        await page.click("button:has-text('Hapus langganan')")
        await expect(page.locator("[role=status]")).to_contain_text("Langganan telah dihapus.")

        await page.goto(f"{platform.url('workspace')}/")
        await page.click("text=Unduh ekspor SIMFONI-PPA")
        await page.fill("#date_from", "31/12/2026")
        await page.fill("#date_to", "01/01/2026")
        await page.click("button:has-text('Unduh ekspor')")
        await expect(page.locator(".error-summary")).to_be_focused()
        await expect(page.locator("#date_from")).to_have_value("31/12/2026")
        await admin.check("export-error")
        today = date.today()  # noqa: DTZ011 - a form's date
        await page.fill("#date_from", (today - timedelta(days=30)).strftime("%d/%m/%Y"))
        await page.fill("#date_to", today.strftime("%d/%m/%Y"))
        await page.select_option("#regency", "62.13")
        await page.check("input[value=csv]")
        async with page.expect_download() as downloading:
            await page.click("button:has-text('Unduh ekspor')")
        download = await downloading.value
        assert download.suggested_filename.endswith(".csv")
        content = (await download.path()).read_text(encoding="utf-8-sig")
        assert content.startswith("no_kasus") or "no_kasus" in content.splitlines()[0]
        assert VICTIM not in content
