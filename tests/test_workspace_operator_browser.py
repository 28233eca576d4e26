"""The hotline operator's workspace in Chromium, signed in as ``operator.62.13`` through the real OIDC provider's
sign-in page: they record a phone report down to the desa, with two victims and a perpetrator added by the form's
own buttons (no JavaScript needed), are shown the earlier report of the same child as a likely duplicate, and save
the new one linked to it; they see its triage with its reasons and raise its priority with a reason; they record
a WhatsApp message waiting as a draft as a report. axe-core runs in every page, and screenshots at 390 px and at
desktop width go to .run/screenshots."""

from __future__ import annotations

import asyncio
import json
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
from playwright.async_api import Page, expect

from intake.settings import DEVELOPMENT_GATEWAY_SECRET
from shared.regions import load_regions
from shared.webhooks import SIGNATURE_HEADER, sign
from sinergi_local.platform import Platform
from sinergi_local.seed import seed_directory
from tests.browser import chromium
from tests.test_workspace_browser import DESKTOP, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

OPERATOR = "operator.62.13"
CHILD = f"Melati Operator Uji {uuid4().hex[:6]}"
BORN = date(2015, 3, 4)
DISTRICT, VILLAGE = "62.13.01", "62.13.01.2003"  # a desa of Kecamatan Dusun Timur, Barito Timur
MESSAGE = "Tolong, tetangga saya memukul anaknya setiap malam. Dusun Timur."


def earlier_report() -> dict[str, Any]:
    """The same child, reported on the web a day earlier: intake's detection finds it by name and birth date."""
    return {
        "incident": {"date": (date.today() - timedelta(days=2)).isoformat(), "precision": "day"},  # noqa: DTZ011
        "location": {"province_code": "62", "regency_code": "62.13", "place": "rumah_tangga"},
        "violence_types": ["fisik"], "victims": [{"sex": "perempuan", "name": CHILD, "birth_date": BORN.isoformat()}],
        "reporter": {"anonymous": True, "relation": "tetangga"}, "narrative": "Laporan web sebelumnya.",
    }




async def _audited_raise(platform: Platform, case_id: str) -> dict[str, Any]:
    """The case's ``case.updated`` of the raise in reporting's audit trail, as the province's auditor reads it,
    once reporting has recorded it."""
    async with httpx.AsyncClient(timeout=10) as client, asyncio.timeout(120):
        while True:
            answer = await client.get(f"{platform.url('reporting')}/v1/audit/cases/{case_id}/trail",
                                      headers=platform.demo_bearer("auditor.62"))
            records = answer.json() if answer.status_code == 200 else []
            found = [r for r in records if r["event_type"] == "case.updated"
                     and "priority" in r["details"].get("changed_fields", [])]
            if found:
                return dict(found[0])
            await asyncio.sleep(0.2)


async def fill_the_phone_report(page: Page) -> None:
    """Everything of the call, down to the desa; "add another" twice, each keeping what was typed."""
    await page.fill("#incident_date", (date.today() - timedelta(days=1)).strftime("%d/%m/%Y"))  # noqa: DTZ011
    await page.select_option("#district_code", DISTRICT)
    await page.click("text=Tampilkan desanya")
    await page.select_option("#village_code", VILLAGE)
    await page.select_option("#place", "rumah_tangga")
    await page.check("#violence_types input[value=fisik]")
    await page.check("#injuries")
    await page.fill("#narrative", "Penelepon mendengar anak tetangganya dipukul setiap malam.")
    await page.fill("#victim-0-name", CHILD)
    await page.select_option("#victim-0-sex", "perempuan")
    await page.fill("#victim-0-birth_date", BORN.strftime("%d/%m/%Y"))
    await page.click("text=Tambah korban lain")
    await expect(page.locator("#victim-0-name")).to_have_value(CHILD)
    await expect(page.locator("#village_code")).to_have_value(VILLAGE)
    await page.select_option("#victim-1-sex", "laki_laki")
    await page.fill("#victim-1-age", "7")
    await page.click("text=Tambah pelaku")
    await expect(page.locator("#victim-1-age")).to_have_value("7")
    await page.select_option("#perpetrator-0-relationship", "orang_tua")
    await page.fill("#perpetrator-0-age", "41")
    await page.check("#needs input[value=kesehatan]")
    await page.check("#consent_given_by input[value=wali]")
    await page.check("#consent_agency_types input[value=police_ppa]")
    await page.select_option("#reporter_relation", "tetangga")
    await page.fill("#reporter_phone", "0812 7000 1234")


async def test_the_operator_records_a_phone_report_down_to_the_desa_and_saves_it_linked(
    signed_platform: Platform,
) -> None:
    platform = signed_platform
    seed_directory(platform)
    intake = platform.url("intake")
    async with httpx.AsyncClient(timeout=30) as client:
        earlier = (await client.post(f"{intake}/v1/reports", json=earlier_report())).json()
    async with chromium() as browser:
        operator = await sign_in(await browser.new_context(viewport=DESKTOP, locale="id-ID"), platform,
                                 OPERATOR, "/reports/new")
        page = operator.page
        await expect(page.locator("h1")).to_have_text("Catat laporan")
        await expect(page.locator("#regency_code")).to_have_value("62.13")  # the operator's regency, chosen
        await operator.check("report-form")

        await page.click("text=Periksa kemungkinan duplikat")  # nothing typed: intake's reasons, at their fields
        await expect(page.locator(".error-summary")).to_be_focused()
        await expect(page.locator(".error-summary a[href='#narrative']")).to_be_visible()
        # Each named by its field; a choice left unmade is said so, not as the codes intake takes.
        await expect(page.locator(".error-summary a[href='#place']")).to_have_text(
            "Jenis tempat: Pilih salah satu pilihan.")
        await expect(page.locator(".error-summary a[href='#victim-0-sex']")).to_contain_text("Korban 1: Jenis kelamin")
        await expect(page.locator("#victim-0-sex-error")).to_be_visible()
        await operator.check("report-form-errors")

        await fill_the_phone_report(page)
        await page.click("text=Periksa kemungkinan duplikat")
        duplicates = page.locator("#duplicates-title")
        await expect(duplicates).to_have_text("Kemungkinan duplikat")
        choice = page.locator("#link_to label", has_text=earlier["case_number"])
        await expect(choice).to_contain_text("korban yang sama")
        assert CHILD not in await page.locator(".duplicates").inner_text()  # the earlier case's: no personal field
        await expect(page.locator("#victim-1-age")).to_have_value("7")  # still all there, to save
        await operator.check("report-duplicates")

        await choice.locator("input").check()
        await page.click("text=Simpan laporan")
        await expect(page.locator("[role=status]")).to_contain_text("ditautkan ke laporan sebelumnya")
        case_id = page.url.rsplit("/", 1)[1]
        await expect(page.locator("main")).to_contain_text("Laporan lain tentang kejadian yang sama")
        await expect(page.locator("main")).to_contain_text("Korban adalah anak.")  # triage, with its reasons
        desa = load_regions().village_name(VILLAGE)
        await expect(page.locator("main")).to_contain_text(f"{desa}, Kecamatan Dusun Timur")
        await operator.check("report-saved")

        async with httpx.AsyncClient(timeout=30) as client:
            saved = (await client.get(f"{intake}/v1/cases/{case_id}",
                                      headers=platform.demo_bearer(OPERATOR))).json()
        assert saved["channel"] == "hotline"
        assert saved["record"]["location"]["village_code"] == VILLAGE
        assert [v.get("sex") for v in saved["record"]["victims"]] == ["perempuan", "laki_laki"]
        assert saved["record"]["perpetrators"][0]["relationship"] == "orang_tua"
        assert saved["links"] == [{"case_id": earlier["case_id"], "reasons": ["same_victim"]}]

        # Triage made it P1 (an injured child): already the most urgent. Raising is for one it made less urgent.
        await expect(page.locator(".tag")).to_contain_text("P1")
        await expect(page.locator("main")).to_contain_text("Kasus sudah berprioritas paling mendesak.")


async def test_the_operator_raises_a_priority_and_records_a_whatsapp_draft(signed_platform: Platform) -> None:
    platform = signed_platform
    seed_directory(platform)
    intake = platform.url("intake")
    message = {"message_id": f"wa-operator-{uuid4().hex[:8]}", "from": "6281277770000", "text": MESSAGE}
    content = json.dumps(message).encode()
    async with httpx.AsyncClient(timeout=30) as client:
        adult = {**earlier_report(), "channel": "hotline", "victims": [{"sex": "perempuan", "age": 30}],
                 "violence_types": ["psikis"]}
        recorded = (await client.post(f"{intake}/v1/reports", json=adult,
                                      headers=platform.demo_bearer(OPERATOR))).json()
        inbound = await client.post(f"{intake}/v1/inbound/whatsapp", content=content, headers={
            "content-type": "application/json", SIGNATURE_HEADER: sign(DEVELOPMENT_GATEWAY_SECRET, content)})
        assert inbound.status_code in {200, 201, 202}, inbound.text
    async with chromium() as browser:
        operator = await sign_in(await browser.new_context(viewport=DESKTOP, locale="id-ID"), platform, OPERATOR,
                                 "/reports")
        page = operator.page
        await page.click(f"text={recorded['case_number']}")
        await expect(page.locator(".tag")).to_contain_text("P3")
        await expect(page.locator("main")).to_contain_text("Tidak ada faktor mendesak yang dilaporkan.")
        await page.click("button:has-text('Naikkan prioritas')")  # nothing chosen: both fields say so
        await expect(page.locator(".error-summary")).to_be_focused()
        await expect(page.locator("#reason-error")).to_contain_text("Tuliskan alasan")
        await operator.check("case-raise-errors")
        await page.check("#priority input[value=P1]")
        await page.fill("#reason", "Penelepon menelepon lagi: pelaku kembali ke rumah.")
        await page.click("button:has-text('Naikkan prioritas')")
        await expect(page.locator("[role=status]")).to_contain_text("Prioritas telah dinaikkan.")
        await expect(page.locator(".tag")).to_contain_text("P1")
        await expect(page.locator("main")).to_contain_text("Dinaikkan oleh operator")
        await expect(page.locator("main")).to_contain_text("pelaku kembali ke rumah")
        await operator.check("case-raised")
        # The raise is in reporting's audit trail of the case, with who raised it and never the reason.
        raised = await _audited_raise(platform, recorded["case_id"])
        assert raised["actor_user_id"]
        assert (raised["details"]["priority"], raised["details"]["changed_fields"]) == ("P1", ["priority", "notes"])
        assert "pelaku kembali" not in json.dumps(raised)

        await page.goto(f"{platform.url('workspace')}/drafts")
        item = page.locator(".inbox__item", has_text=MESSAGE)
        await expect(item).to_be_visible()
        await operator.check("drafts")
        await item.locator("text=Catat pesan ini sebagai laporan").click()
        await expect(page.locator("#narrative")).to_have_value(MESSAGE)
        await expect(page.locator("#reporter_phone")).to_have_value("6281277770000")
        assert await page.locator("#channel").count() == 0  # the draft's channel: WhatsApp
        await operator.check("draft-form")
        await page.fill("#incident_date", "")
        await page.select_option("#incident_precision", "unknown")
        await page.select_option("#place", "rumah_tangga")
        await page.check("#violence_types input[value=fisik]")
        await page.select_option("#victim-0-sex", "perempuan")
        await page.fill("#victim-0-age", "9")
        await page.select_option("#reporter_relation", "tetangga")
        await page.click("text=Periksa kemungkinan duplikat")
        await page.click("text=Simpan laporan")
        await expect(page.locator("[role=status]")).to_contain_text("Laporan telah disimpan.")
        await expect(page.locator("main")).to_contain_text("WhatsApp")
        await page.goto(f"{platform.url('workspace')}/drafts")
        await expect(page.locator("main")).not_to_contain_text(MESSAGE)
