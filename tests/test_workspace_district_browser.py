"""The district supervisor's workspace in Chromium, signed in through the real OIDC provider's page as
``district_supervisor.62.13``: they see the overdue referral first among the district's, open its case, are told
what is missing when a form lacks its confirmation, refer the case to a second agency, hand over the lead, and
read the district's exact figures by kecamatan. The supervisor of Palangka Raya (62.71) finds nothing of the case.
axe-core runs on every page, and screenshots at 390 px and desktop width go to .run/screenshots.

The referral is made overdue by moving its deadline to two hours ago in routing's table (what two hours of waiting
would do), so the test does not wait for the SLA."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from sinergi_local.platform import Platform
from sinergi_local.seed import seed_directory
from tests.browser import chromium
from tests.databases import execute
from tests.test_workspace_browser import DESKTOP, Visit, sign_in
from tests.test_workspace_browser import _lead as lead_of

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

SUPERVISOR, OTHER = "district_supervisor.62.13", "district_supervisor.62.71"
REPORT: dict[str, Any] = {
    "incident": {"precision": "unknown"},
    "location": {"province_code": "62", "regency_code": "62.13", "district_code": "62.13.01",
                 "place": "rumah_tangga"},
    "violence_types": ["fisik"], "victims": [{"sex": "perempuan", "age": 28}],
    "reporter": {"anonymous": True, "relation": "tetangga"}, "narrative": "laporan uji supervisor peramban",
}


async def test_the_supervisor_sees_the_overdue_referral_refers_the_case_and_hands_over_the_lead(
    signed_platform: Platform,
) -> None:
    platform = signed_platform
    seed_directory(platform)
    async with httpx.AsyncClient(timeout=30) as client:
        accepted = (await client.post(f"{platform.url('intake')}/v1/reports", json=REPORT)).json()
    case_number, case_id = accepted["case_number"], accepted["case_id"]
    lead = await lead_of(platform, case_id)
    assert lead["agency_id"] == "uptd-ppa-62.13"
    await execute(platform.infra.admin_dsn, "UPDATE routing.referrals SET accept_by = now() - interval '2 hours' "
                                            f"WHERE referral_id = '{lead['referral_id']}'")

    async with chromium() as browser:
        supervisor: Visit = await sign_in(await browser.new_context(viewport=DESKTOP, locale="id-ID"), platform,
                                          SUPERVISOR)
        page = supervisor.page
        await page.goto(f"{platform.url('workspace')}/district")
        row = page.locator(f"#district-referrals tr:has-text('{case_number}')")
        await expect(row.locator(".tag--overdue")).to_have_text("Terlambat")
        # Overdue first: no row above it that is not overdue.
        rows = page.locator("#district-referrals tbody tr")
        position = [await rows.nth(i).inner_text() for i in range(await rows.count())]
        mine = next(i for i, text in enumerate(position) if case_number in text)
        assert all("Terlambat" in text for text in position[:mine])
        await expect(page.locator(f"#workload tr[data-agency='{lead['agency_id']}']")).to_be_visible()
        await supervisor.check("district")

        await row.locator("a").click()
        await expect(page.locator("h1")).to_contain_text(case_number)
        await supervisor.check("district-case")

        await page.select_option("#refer-agency_id", "dinas-ppa-62.13")
        await page.fill("#refer-hand_reason", "Perlu pendampingan Dinas PPA")
        await page.click("button:has-text('Rujuk kasus')")
        await expect(page.locator(".error-summary")).to_contain_text("Centang kotak untuk mengonfirmasi.")
        await expect(page.locator("#refer-hand_reason")).to_have_value("Perlu pendampingan Dinas PPA")
        await supervisor.check("district-case-error")
        await page.check("#refer-confirm")
        await page.click("button:has-text('Rujuk kasus')")
        await expect(page.locator("[role=status]")).to_contain_text("Kasus sudah dirujuk")
        await expect(page.locator("#case-referrals")).to_contain_text("DP3AKB Kabupaten Barito Timur")  # its Dinas PPA

        await page.select_option("#handover-agency_id", "uptd-ppa-62")
        await page.fill("#handover-hand_reason", "UPTD kabupaten sedang penuh")
        await page.check("#handover-confirm")
        await page.click("button:has-text('Alihkan lembaga utama')")
        await expect(page.locator("[role=status]")).to_contain_text("Lembaga utama sudah dialihkan")
        new_lead = page.locator("#case-referrals li:has-text('UPTD PPA Provinsi Kalimantan Tengah')")
        await expect(new_lead.locator("h2")).to_contain_text("(utama)")
        await expect(page.locator("#case-referrals")).to_contain_text("peran lembaga utama dialihkan")
        await supervisor.check("district-case-handed-over")

        await page.goto(f"{platform.url('workspace')}/district/dashboard")
        for _ in range(100):  # reporting counts the case once its events arrive
            if await page.locator("tr[data-area='62.13.01']").count():
                break
            await page.wait_for_timeout(300)
            await page.reload()
        await expect(page.locator("tr[data-area='62.13.01']")).to_contain_text("Dusun Timur")
        await expect(page.locator("main")).to_contain_text("Angka pasti kabupaten/kota Anda")
        await supervisor.check("district-dashboard")

        other: Visit = await sign_in(await browser.new_context(viewport=DESKTOP, locale="id-ID"), platform, OTHER)
        answer = await other.page.goto(f"{platform.url('workspace')}/district/cases/{case_id}")
        assert answer is not None
        assert answer.status == 404
        await other.page.goto(f"{platform.url('workspace')}/district")
        assert case_number not in await other.page.content()
