"""The invariants, checked once the platform has settled, against the truth of the accepted reports.

- intake holds exactly one case per accepted report (its operator's, in intake's own table), and none for a
  report it refused;
- routing's referrals of each case (``GET /v1/cases/{id}/referrals`` as the province admin) are exactly those
  the rules give for the report (``reports.expected_referrals``), with no agency twice; intake granted each
  referred agency access;
- each referral reached its agency's webhook at least once, verified, and the receiver processed each
  idempotency key once; every case of province 62 reached the province's email subscription;
- reporting's ``/v1/stats/cases`` by regency and violence type, and ``/v1/stats/referrals`` by agency (as each
  province's admin, exact), equal the counts of the accepted reports and their referrals.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from sinergi_local import processes
from sinergi_local.chaos.load import Outcome
from sinergi_local.chaos.reports import expected_case_counts, expected_referrals
from sinergi_local.chaos.stack import ChaosStack

EMAIL_PROVINCE = "62"  # the demo seeding subscribes province 62's office to every new case, by email
MAX_EXAMPLES = 10


@dataclass
class Findings:
    lost: Counter[str] = field(default_factory=Counter)
    duplicated: Counter[str] = field(default_factory=Counter)
    redelivered: Counter[str] = field(default_factory=Counter)
    wrong: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    def note(self, kind: Counter[str], what: str, count: int, example: str) -> None:
        if count > 0:
            kind[what] += count
            if example and len(self.examples) < MAX_EXAMPLES:
                self.examples.append(example)


def verify(stack: ChaosStack, outcomes: list[Outcome]) -> Findings:
    findings = Findings()
    accepted = [outcome for outcome in outcomes if outcome.accepted]
    _check_cases(stack, outcomes, findings)
    referrals = _fetch_referrals(stack, accepted)
    _check_referrals(accepted, referrals, findings)
    _check_access_grants(stack, referrals, findings)
    _check_webhooks(stack.run_dir, referrals, findings)
    _check_emails(stack.run_dir, accepted, findings)
    _check_statistics(stack, accepted, referrals, findings)
    return findings


def _rows(stack: ChaosStack, query: str) -> list[asyncpg.Record]:
    async def fetch() -> list[asyncpg.Record]:
        connection = await asyncpg.connect(stack.running.infra.admin_dsn, timeout=10)
        try:
            return list(await connection.fetch(query))
        finally:
            await connection.close()

    return processes.run_coroutine(fetch())


def _check_cases(stack: ChaosStack, outcomes: list[Outcome], findings: Findings) -> None:
    stored: dict[str, list[str]] = defaultdict(list)
    for row in _rows(stack, "SELECT recorded_by, case_id FROM intake.cases"):
        stored[row["recorded_by"] or ""].append(str(row["case_id"]))
    operators = {outcome.report.operator for outcome in outcomes}
    for outcome in outcomes:
        cases = stored.get(outcome.report.operator, [])
        name = f"report {outcome.report.number}"
        if outcome.accepted:
            findings.note(findings.lost, "cases", int(outcome.case_id not in cases), f"{name}: accepted, no case")
            findings.note(findings.duplicated, "cases", len(cases) - 1, f"{name}: {len(cases)} cases")
        else:
            findings.note(findings.wrong, "cases of refused reports", len(cases), f"{name}: refused, yet stored")
    strangers = sum(len(cases) for operator, cases in stored.items() if operator not in operators)
    findings.note(findings.wrong, "cases of no report", strangers, f"{strangers} cases no report asked for")


def _fetch_referrals(stack: ChaosStack, accepted: list[Outcome]) -> dict[str, list[dict[str, Any]]]:
    """Each accepted case's referrals, as its province's admin sees them."""
    url = stack.running.url("routing")

    def fetch(outcome: Outcome) -> tuple[str, list[dict[str, Any]]]:
        headers = stack.admin_headers(outcome.report.province)
        for _ in range(5):
            response = httpx.get(f"{url}/v1/cases/{outcome.case_id}/referrals", headers=headers, timeout=30)
            if response.status_code == httpx.codes.OK:
                return str(outcome.case_id), list(response.json())
        response.raise_for_status()
        return str(outcome.case_id), []

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(pool.map(fetch, accepted))


def _check_referrals(
    accepted: list[Outcome], referrals: dict[str, list[dict[str, Any]]], findings: Findings
) -> None:
    for outcome in accepted:
        made = referrals[str(outcome.case_id)]
        expected = expected_referrals(outcome.report)
        actual = {(referral["agency_id"], referral["rule"], referral["is_lead"]) for referral in made}
        agencies = Counter(referral["agency_id"] for referral in made)
        name = f"case {outcome.case_number} (report {outcome.report.number})"
        missing, unexpected = expected - actual, actual - expected
        findings.note(findings.lost, "referrals", len(missing), f"{name}: no referral {sorted(missing)}")
        findings.note(findings.wrong, "referrals not in the rules", len(unexpected),
                      f"{name}: unexpected referral {sorted(unexpected)}")
        twice = sum(count - 1 for count in agencies.values())
        findings.note(findings.duplicated, "referrals", twice, f"{name}: an agency referred twice {agencies}")


def _check_access_grants(stack: ChaosStack, referrals: dict[str, list[dict[str, Any]]], findings: Findings) -> None:
    granted = {(str(row["case_id"]), row["agency_id"])
               for row in _rows(stack, "SELECT case_id, agency_id FROM intake.case_access")}
    for case_id, made in referrals.items():
        missing = [r["agency_id"] for r in made if (case_id, r["agency_id"]) not in granted]
        findings.note(findings.lost, "access grants", len(missing), f"case {case_id}: intake never granted {missing}")


def _check_webhooks(run_dir: Path, referrals: dict[str, list[dict[str, Any]]], findings: Findings) -> None:
    """Per agency endpoint: deliveries and processings of each idempotency key, and the keys each referral
    came under."""
    path = run_dir / "sink-received.jsonl"
    entries = [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []
    deliveries: Counter[tuple[str, str]] = Counter()
    processed: Counter[tuple[str, str]] = Counter()
    keys_of_referral: dict[tuple[str, str], set[str]] = defaultdict(set)
    for entry in entries:
        if not entry.get("verified"):
            findings.note(findings.wrong, "unverified webhooks", 1, f"webhook to {entry['agency_id']} not verified")
            continue
        key = (entry["agency_id"], entry["event_id"])
        deliveries[key] += 1
        processed[key] += not entry["duplicate"]
        if entry["event_type"] == "referral.created":
            keys_of_referral[entry["agency_id"], entry["referral_id"]].add(entry["event_id"])
    findings.note(findings.redelivered, "webhooks", sum(deliveries.values()) - len(deliveries), "")
    for key, times in processed.items():
        findings.note(findings.duplicated, "webhook keys processed twice", times - 1, f"{key} processed {times}x")
    for (agency_id, referral_id), keys in keys_of_referral.items():
        findings.note(findings.duplicated, "webhooks under a second key", len(keys) - 1,
                      f"referral {referral_id} reached {agency_id} under {len(keys)} keys")
    for made in referrals.values():
        for referral in made:
            arrived = (referral["agency_id"], referral["referral_id"]) in keys_of_referral
            findings.note(findings.lost, "webhooks", int(not arrived),
                          f"referral {referral['referral_id']} never reached {referral['agency_id']}")


def _check_emails(run_dir: Path, accepted: list[Outcome], findings: Findings) -> None:
    """The province's email subscription: one email (one Message-ID) per new case, by regency (the subject
    names the region, not the case: a region subscription sees no case number)."""
    messages = [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                for path in sorted((run_dir / "mail" / "new").glob("*"))]
    ids_by_regency: dict[str, set[str]] = defaultdict(set)
    for message in messages:
        match = re.search(r"wilayah (\d{2}\.\d{2})", str(message["Subject"]))
        if match:
            ids_by_regency[match.group(1)].add(str(message["Message-ID"]))
    distinct = sum(len(ids) for ids in ids_by_regency.values())
    findings.note(findings.redelivered, "emails", len(messages) - distinct, "")
    expected = Counter(o.report.regency for o in accepted if o.report.province == EMAIL_PROVINCE)
    for regency in sorted(set(expected) | set(ids_by_regency)):
        got, want = len(ids_by_regency.get(regency, ())), expected.get(regency, 0)
        findings.note(findings.lost, "emails", want - got, f"regency {regency}: {got} emails for {want} cases")
        findings.note(findings.duplicated, "emails", got - want, f"regency {regency}: {got} emails for {want} cases")


def _check_statistics(
    stack: ChaosStack, accepted: list[Outcome], referrals: dict[str, list[dict[str, Any]]], findings: Findings
) -> None:
    reporting = stack.running.url("reporting")
    expected_cases = expected_case_counts(outcome.report for outcome in accepted)
    expected_referrals_by_province: dict[str, Counter[str]] = defaultdict(Counter)
    for outcome in accepted:
        for referral in referrals[str(outcome.case_id)]:
            expected_referrals_by_province[outcome.report.province][referral["agency_id"]] += 1
    for province, expected in expected_cases.items():
        headers = stack.admin_headers(province)
        answer = httpx.get(f"{reporting}/v1/stats/cases", headers=headers, timeout=60,
                           params={"group_by": "regency,violence_type", "province": province}).json()
        actual: Counter[tuple[str, str]] = Counter({("", ""): answer["total_cases"]})
        for row in answer["rows"]:
            actual[row["regency"], row["violence_type"]] = row["count"]
        _compare(findings, "case statistics", f"province {province} cases", expected, actual, exact=answer["exact"])
        answer = httpx.get(f"{reporting}/v1/stats/referrals", headers=headers, timeout=60,
                           params={"group_by": "agency", "province": province}).json()
        by_agency = Counter({row["keys"]["agency"]: row["count"] for row in answer["rows"]})
        _compare(findings, "referral statistics", f"province {province} referrals",
                 expected_referrals_by_province[province], by_agency, exact=answer["exact"])


def _compare(findings: Findings, what: str, where: str, expected: Counter[Any], actual: Counter[Any], *,
             exact: bool) -> None:
    if not exact:
        findings.note(findings.wrong, f"{what} not exact", 1, f"{where}: not exact for the province admin")
    cells: Iterable[Any] = sorted(set(expected) | set(actual), key=str)
    for cell in cells:
        short = expected.get(cell, 0) - actual.get(cell, 0)
        example = f"{where} {cell}: {actual.get(cell, 0)}, truth {expected.get(cell, 0)}"
        findings.note(findings.lost, what, short, example)
        findings.note(findings.duplicated, what, -short, example)
