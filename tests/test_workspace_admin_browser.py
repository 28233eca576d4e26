"""The province admin's workspace in Chromium (issue 23's done-when), signed in through the real OIDC provider's
page as ``province_admin.62``: the admin adds a Puskesmas serving one kecamatan (picking regency, then kecamatan,
without any script), changes the province's rules, previews where a sample case from that kecamatan would go,
saves, and a new report from that kecamatan reaches the Puskesmas; then the province's auditor opens that case's
trail and sees the Puskesmas's referral in it and its chain verify. On the way, a form sent with mistakes names
each at its field and keeps what was typed. axe-core runs on every page; screenshots at 390 px and desktop width
go to .run/screenshots."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import uuid4

import httpx
import pytest
from playwright.async_api import expect

from sinergi_local.platform import Platform
from sinergi_local.seed import seed_directory
from tests.browser import chromium
from tests.test_workspace_browser import DESKTOP, Visit, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

ADMIN = "province_admin.62"
AUDITOR = "auditor.62"
AWANG = "62.13.04"  # a kecamatan of Barito Timur that no demo Puskesmas serves
NEW_RULE = f"""- id: health/awang-outreach
  description: Cases from kecamatan Awang go to its Puskesmas
  when: {{regions: ["{AWANG}"]}}
  refer: [{{agency_type: health}}]
"""
REPORT: dict[str, Any] = {
    "incident": {"precision": "unknown"},
    "location": {"province_code": "62", "regency_code": "62.13", "district_code": AWANG, "place": "rumah_tangga"},
    "violence_types": ["fisik"], "victims": [{"sex": "perempuan", "age": 29}],
    "consent": {"given_by": "korban", "agency_types": ["health"]},
    "reporter": {"anonymous": True, "relation": "tetangga"}, "narrative": "laporan uji admin provinsi",
}




async def add_puskesmas(visit: Visit, agency_id: str) -> None:
    page = visit.page
    await page.click("text=Direktori lembaga")
    await expect(page.locator("h1")).to_contain_text("Direktori lembaga Kalimantan Tengah")
    await visit.check("admin-directory")
    await page.click("text=Tambah lembaga")
    await page.fill("#agency_id", "Puskesmas Awang")  # not a slug
    await page.fill("#name", "Puskesmas Awang Uji")
    await page.select_option("#regency_code", "62.13")
    await page.click("button[value=area]")  # no script: the server fills the kecamatan list
    await expect(page.locator("#name")).to_have_value("Puskesmas Awang Uji")
    await page.select_option("#district_code", AWANG)
    await page.check("input[name=services][value=kesehatan]")
    await page.fill("#hours_mon", "7-14")  # not a range
    await page.click("button[value=save]")
    summary = page.locator(".error-summary")
    await expect(summary).to_be_visible()
    for field in ("agency_id", "agency_type", "hours_mon"):
        await expect(summary.locator(f"a[href='#{field}']")).to_have_count(1)
        await expect(page.locator(f"#{field}-error")).to_be_visible()
    await expect(page.locator("#name")).to_have_value("Puskesmas Awang Uji")  # what was typed is kept
    await expect(page.locator("#district_code")).to_have_value(AWANG)
    await visit.check("admin-agency-errors")
    await page.fill("#agency_id", agency_id)
    await page.select_option("#agency_type", "health")
    await page.fill("#hours_mon", "07:30-14:00")
    await page.fill("#phone", "+62-000-6213-099")
    await page.click("button[value=save]")
    await expect(page.locator("[role=status]")).to_contain_text("Lembaga tersimpan di direktori.")
    row = page.locator(".inbox__item", has=page.locator(f"text={agency_id}"))
    await expect(row).to_contain_text("Awang, Kabupaten Barito Timur")


async def change_and_preview_rules(visit: Visit, agency_id: str) -> None:
    page = visit.page
    await page.goto(visit.base + "/")
    await page.click("text=Aturan rujukan provinsi")
    rules = page.locator("#rules_yaml")
    document = await rules.input_value()
    assert "version:" in document
    await page.select_option("#regency_code", "62.13")
    await page.click("button[value=area]")
    await page.select_option("#district_code", AWANG)
    await page.check("input[name=violence_types][value=fisik]")
    await page.check("input[name=consented][value=health]")
    # The rules in force come as routing writes YAML: the list's items at the start of the line.
    assert "\n- id: " in document
    broken = document.rstrip() + "\n- {id: health/broken, description: Broken, refer: []}\n"
    await rules.fill(broken)
    await page.click("button[value=preview]")
    await expect(page.locator("#rules_yaml-error")).to_contain_text("rules.")  # where in the rules it breaks
    await expect(rules).to_have_value(broken)  # kept as typed
    await visit.check("admin-rules-errors")
    await rules.fill(document.rstrip() + "\n" + NEW_RULE)
    await page.click("button[value=preview]")
    preview = page.locator("#preview")
    await expect(page.locator("#preview-title")).to_contain_text("Kasus contoh ini akan dirujuk ke")
    await expect(preview).to_contain_text("UPTD PPA Kabupaten Barito Timur")
    await expect(preview.locator("li", has=page.locator(f"text={agency_id}"))).to_contain_text(
        "health/awang-outreach")
    await expect(page.locator("#district_code")).to_have_value(AWANG)
    await visit.check("admin-rules-preview")
    await page.click("button[value=save]")
    await expect(page.locator("[role=status]")).to_contain_text("Aturan tersimpan")
    await expect(rules).to_contain_text("health/awang-outreach")


async def referrals(platform: Platform, case_id: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(timeout=10) as client:
        for _ in range(300):
            answer = await client.get(f"{platform.url('routing')}/v1/cases/{case_id}/referrals",
                                      headers=platform.demo_bearer(ADMIN))
            if answer.status_code == 200 and len(answer.json()) > 1:
                return list(answer.json())
            await asyncio.sleep(0.2)
    raise AssertionError("routing made no supporting referral")


async def trail_names(platform: Platform, case_id: str, agency_id: str) -> None:
    """Until reporting's audit trail of the case holds the referral to ``agency_id``."""
    async with httpx.AsyncClient(timeout=10) as client:
        for _ in range(300):
            answer = await client.get(f"{platform.url('reporting')}/v1/audit/cases/{case_id}/trail",
                                      headers=platform.demo_bearer(AUDITOR))
            if answer.status_code == 200 and agency_id in answer.text:
                return
            await asyncio.sleep(0.2)
    raise AssertionError("the referral never reached the audit trail")


async def audit(visit: Visit, case: dict[str, Any], agency_id: str) -> None:
    """The auditor finds the case by its number and reads its trail: the referral to the new Puskesmas is in it,
    and the chain verifies."""
    page = visit.page
    await page.goto(f"{visit.base}/audit")
    await page.fill("#case", case["case_number"])
    await page.click("button:has-text('Cari kasus')")
    await page.wait_for_url(f"**/audit/cases/{case['case_id']}")
    await expect(page.locator("#chain")).to_contain_text("Rantai audit utuh.")
    await expect(page.locator("#trail")).to_contain_text("referral.created")
    await expect(page.locator("#trail")).to_contain_text(agency_id)
    await visit.check("admin-case-audited")


async def test_the_admin_adds_a_puskesmas_changes_a_rule_previews_it_and_a_report_reaches_it(
    signed_platform: Platform,
) -> None:
    platform = signed_platform
    seed_directory(platform)
    agency_id = f"puskesmas-awang-{uuid4().hex[:6]}"
    async with chromium() as browser:
        context = await browser.new_context(viewport=DESKTOP, locale="id-ID")
        visit = await sign_in(context, platform, ADMIN, "/")
        await expect(visit.page.locator("main")).to_contain_text("Aturan rujukan provinsi")
        await visit.check("admin-home")
        await add_puskesmas(visit, agency_id)
        await change_and_preview_rules(visit, agency_id)
    async with httpx.AsyncClient(timeout=30) as client:
        accepted = await client.post(f"{platform.url('intake')}/v1/reports", json=REPORT)
    assert accepted.status_code == 201, accepted.text
    found = await referrals(platform, accepted.json()["case_id"])
    assert {(r["agency_id"], r["rule"]) for r in found if not r["is_lead"]} == {
        (agency_id, "health/awang-outreach")}
    await trail_names(platform, accepted.json()["case_id"], agency_id)
    async with chromium() as browser:
        context = await browser.new_context(viewport=DESKTOP, locale="id-ID")
        await audit(await sign_in(context, platform, AUDITOR, "/"), accepted.json(), agency_id)
