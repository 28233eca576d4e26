"""A report followed through the four real service processes: intake -> routing -> notifications (a signed
webhook at the agency's endpoint) and reporting (the statistics), in one trace; the referred agency reading the
victim's details, and that read in reporting's audit trail; a WhatsApp message from the gateway that an operator
records as a report; and, after all of it and the demo data, a scan of everything the platform wrote (the
database, every topic, the logs, the spans) for the personal data it was given."""

from __future__ import annotations

import asyncio
import itertools
import json
import subprocess
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy.engine import make_url

from intake.domain.record import Report, split_personal
from intake.settings import DEVELOPMENT_GATEWAY_SECRET
from shared.auth import Role
from shared.contracts.topics import CASES, REFERRALS
from shared.webhooks import SIGNATURE_HEADER, sign
from sinergi_local import postgres
from sinergi_local.platform import SERVICES, Platform
from sinergi_local.seed import (
    read_as_lead_agencies,
    sample_reports,
    seed_directory,
    submit_sample_reports,
    subscribe_agencies,
)

pytestmark = pytest.mark.e2e

NARRATIVE = "Narasi e2e rahasia: tetangga melihat anak dipukul."
SAMPLE_REPORTS, SAMPLE_READS = 12, 4
RECENTLY = (date.today() - timedelta(days=3)).isoformat()  # noqa: DTZ011 - a calendar date, like the API's
# Taken by an operator on a community visit.
TRACED_REPORT: dict[str, Any] = {
    "incident": {"date": RECENTLY, "precision": "day"},
    "location": {"province_code": "62", "regency_code": "62.13", "place": "rumah_tangga",
                 "address": "Jl. Tjilik Riwut Gg. Anggrek No. 3, Tamiang Layang"},
    "violence_types": ["seksual"], "victims": [{"sex": "perempuan", "age": 14, "name": "Ratnasari Simanjuntak"}],
    "perpetrators": [{"relationship": "tetangga", "sex": "laki_laki", "name": "Bonaventura Hutapea"}],
    "needs": ["pengaduan", "kesehatan"],
    "reporter": {"relation": "perangkat_rt_rw", "name": "Yustinus Pardede", "phone": "+62 813-5550-1199"},
    "narrative": NARRATIVE, "channel": "community",
}
# Reported by the public on the web.
AUDITED_REPORT: dict[str, Any] = {
    "incident": {"date": RECENTLY, "precision": "month"},
    "location": {"province_code": "62", "regency_code": "62.13", "place": "daring",
                 "address": "Jl. Pahlawan Gg. Kenari No. 17, Tamiang Layang"},
    "violence_types": ["psikis"], "victims": [{"sex": "perempuan", "age": 16, "name": "Wulandari Sitompul"}],
    "perpetrators": [{"relationship": "pacar_teman", "name": "Fransiskus Gultom"}],
    "needs": ["pengaduan"],
    "reporter": {"relation": "keluarga", "name": "Hendrawan Situmeang", "phone": "+62 813-5550-4477",
                 "email": "hendrawan.situmeang.e2e@contoh.id"},
    "narrative": "Narasi audit rahasia: korban diancam oleh kenalan daring.",
    "channel": "web",
}
# A message to the WhatsApp gateway, and the report an operator records from it after calling back.
WHATSAPP_MESSAGE = {"message_id": "e2e-wa-0001", "from": "6281355509911",
                    "text": "Pesan WhatsApp e2e rahasia: ibu saya dipukul ayah tiri, tolong."}
WHATSAPP_REPORT: dict[str, Any] = {
    "incident": {"precision": "unknown"},
    "location": {"province_code": "62", "regency_code": "62.71", "place": "rumah_tangga",
                 "address": "Jl. Yos Sudarso Gg. Cempaka No. 21, Palangka Raya"},
    "violence_types": ["fisik"], "victims": [{"sex": "perempuan", "age": 41, "name": "Theresia Manurung"}],
    "perpetrators": [{"relationship": "keluarga_saudara", "name": "Bernadus Silalahi"}],
    "reporter": {"relation": "keluarga", "name": "Agustina Manurung", "phone": "+62 813-5550-9911"},
    "narrative": "Narasi WhatsApp e2e rahasia: korban dipukul di rumah, dihubungi kembali oleh operator.",
}


def _wait(check: Any, timeout: float = 60, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def _operator(platform: Platform) -> dict[str, str]:
    return platform.bearer(Role.OPERATOR, user_id="e2e-operator")


def _province_admin(platform: Platform) -> dict[str, str]:
    return platform.bearer(Role.PROVINCE_ADMIN, user_id="e2e-admin", province_code="62")


def _lead_referral(platform: Platform, case_id: str) -> dict[str, Any] | None:
    """The case's lead referral once routing has made it (404 until then)."""
    response = httpx.get(f"{platform.url('routing')}/v1/cases/{case_id}/referrals",
                         headers=_province_admin(platform), timeout=10)
    return next((r for r in response.json() if r["is_lead"]), None) if response.status_code == 200 else None


def _count(platform: Platform, regency: str, violence_type: str) -> int:
    response = httpx.get(f"{platform.url('reporting')}/v1/stats/cases", headers=_province_admin(platform),
                         params={"group_by": "regency,violence_type", "regency": regency}, timeout=10)
    response.raise_for_status()
    return sum(row["count"] for row in response.json()["rows"]
               if row["regency"] == regency and row["violence_type"] == violence_type)


@pytest.fixture(scope="module")
def seeded(platform: Platform) -> Platform:
    subscribe_agencies(platform, seed_directory(platform))
    accepted = submit_sample_reports(platform, SAMPLE_REPORTS)
    read_as_lead_agencies(platform, accepted[:SAMPLE_READS])
    return platform


def test_report_reaches_the_agency_webhook_and_the_statistics(seeded: Platform, otlp_receiver: Any) -> None:
    platform = seeded
    before = _count(platform, "62.13", "seksual")

    response = httpx.post(f"{platform.url('intake')}/v1/reports", json=TRACED_REPORT, headers=_operator(platform),
                          timeout=10)
    assert response.status_code == 201, response.text
    case_id = response.json()["case_id"]

    lead = _wait(lambda: _lead_referral(platform, case_id), what="the referral")

    def delivered() -> list[dict[str, Any]]:
        received = httpx.get(f"{platform.url('sink')}/received", timeout=10).json()
        return [r for r in received if r.get("case_id") == case_id]

    deliveries = _wait(delivered, what="the webhook at the agency's endpoint")
    assert all(d["verified"] for d in deliveries)
    assert {d["agency_id"] for d in deliveries} == {lead["agency_id"]}
    assert deliveries[0]["event_type"] == "referral.created"

    _wait(lambda: _count(platform, "62.13", "seksual") == before + 1, what="the statistics")

    # The case's audit trail holds every service's events about it, chained.
    auditor = platform.bearer(Role.AUDITOR, user_id="e2e-auditor", province_code="62")
    trail_url = f"{platform.url('reporting')}/v1/audit/cases/{case_id}/trail"

    def trail() -> list[dict[str, Any]] | None:
        records: list[dict[str, Any]] = httpx.get(trail_url, headers=auditor, timeout=10).json()
        producers = {record["producer"] for record in records}
        return records if producers >= {"intake", "routing", "notifications"} else None

    records = _wait(trail, what="the audit trail of every service")
    assert [record["seq"] for record in records] == list(range(1, len(records) + 1))
    assert all(later["prev_hash"] == earlier["hash"] for earlier, later in itertools.pairwise(records))
    assert {"case.reported", "referral.created", "webhook.delivered"} <= {r["event_type"] for r in records}

    # One trace from the intake request through the outbox and Kafka into every service, whole: the spans of
    # every process arrive in batches, so wait until the report's trace reaches all four and has no orphan.
    try:
        spans = otlp_receiver.wait_for(lambda spans: _complete(_report_trace(spans, case_id)))
    except AssertionError:
        raise AssertionError(f"no whole trace of the report:\n{_report_trace(otlp_receiver.spans, case_id)}") from None
    tree = _report_trace(spans, case_id)
    assert tree is not None
    _assert_the_report_path(tree)
    # Nothing the report holds as personal is in any span of the whole export: names, attributes, events.
    values = _report_values(TRACED_REPORT)
    leaks = [(value, span.service, span.name) for span in spans for value in values if value in span.text()]
    assert not leaks, leaks


ALL_SERVICES = {"sinergi-intake", "sinergi-routing", "sinergi-notifications", "sinergi-reporting"}


@dataclass(frozen=True)
class SpanTree:
    """The spans of one trace, each under its parent (by the parent span ids the exporters sent)."""

    spans: tuple[Any, ...]

    @property
    def by_id(self) -> dict[str, Any]:
        return {span.span_id: span for span in self.spans}

    def roots(self) -> list[Any]:
        return [span for span in self.spans if not span.parent_span_id]

    def orphans(self) -> list[Any]:
        """Spans whose parent is not in the trace (not received, or never exported)."""
        by_id = self.by_id
        return [span for span in self.spans if span.parent_span_id and span.parent_span_id not in by_id]

    def ancestors(self, span: Any) -> list[Any]:
        """Its parent, the parent's parent, ... up to the root (or to a parent that is not in the trace)."""
        by_id, found = self.by_id, []
        while (span := by_id.get(span.parent_span_id)) is not None and len(found) < len(self.spans):
            found.append(span)
        return found

    def find(self, service: str, kind: str, name: str) -> list[Any]:
        return [s for s in self.spans if (s.service, s.kind, s.name) == (f"sinergi-{service}", kind, name)]

    def under(self, ancestors: list[Any], service: str, kind: str, name: str) -> list[Any]:
        """The spans of ``service`` named ``name`` that descend from one of ``ancestors``; fails if none does."""
        wanted = {ancestor.span_id for ancestor in ancestors}
        found = [s for s in self.find(service, kind, name) if wanted & {a.span_id for a in self.ancestors(s)}]
        assert found, f"no {kind} span {name!r} of {service} under {[a.name for a in ancestors]}:\n{self}"
        return found

    def __str__(self) -> str:
        children: dict[str, list[Any]] = {}
        for span in self.spans:
            children.setdefault(span.parent_span_id, []).append(span)
        lines: list[str] = []

        def show(span: Any, depth: int) -> None:
            lines.append(f"{'  ' * depth}{span.service} {span.kind} {span.name}")
            for child in children.get(span.span_id, []):
                show(child, depth + 1)

        for top in [*self.roots(), *self.orphans()]:
            show(top, 0)
        return "\n".join(lines)


def _report_trace(spans: list[Any], case_id: str) -> SpanTree | None:
    """The trace of the report of ``case_id`` (its events carry the case id as their key), once it reaches all
    four services."""
    traces = {s.trace_id for s in spans if _message_key(s) == case_id}
    for post in (s for s in spans if s.trace_id in traces and s.name.startswith("POST /v1/reports")):
        trace = tuple(s for s in spans if s.trace_id == post.trace_id)
        if {s.service for s in trace} >= ALL_SERVICES:
            return SpanTree(trace)
    return None


def _message_key(span: Any) -> str | None:
    key = span.attributes.get("messaging.kafka.message.key")
    return key.decode() if isinstance(key, bytes) else key


def _complete(tree: SpanTree | None) -> bool:
    """The report's trace with the last spans of the path in: reporting and notifications consumed the
    referral, and every span's parent is there."""
    return tree is not None and not tree.orphans() and all(
        tree.find(service, "consumer", f"{REFERRALS.name} process") for service in ("notifications", "reporting"))


def _assert_the_report_path(tree: SpanTree) -> None:
    """intake's POST (the root) -> the outbox relay's publication of case.reported and its Kafka produce ->
    routing's consume of it -> routing's publication of referral.created -> notifications' and reporting's
    consume of that; notifications and reporting consume case.reported too. Every span has its parent."""
    roots = tree.roots()
    assert [(r.service, r.kind, r.name) for r in roots] == [("sinergi-intake", "server", "POST /v1/reports")], tree
    [root] = roots
    assert not tree.orphans(), tree
    # The outbox relay publishes each row in the context the request stored with it: faststream's "create" span
    # is the relay's publication, its "publish" span the produce request to Kafka; consumers continue "create".
    relay = tree.under([root], "intake", "producer", f"{CASES.name} create")
    tree.under(relay, "intake", "producer", f"{CASES.name} publish")
    routed = tree.under(relay, "routing", "consumer", f"{CASES.name} process")
    referral = tree.under(routed, "routing", "producer", f"{REFERRALS.name} create")
    tree.under(referral, "routing", "producer", f"{REFERRALS.name} publish")
    for service in ("notifications", "reporting"):
        tree.under(relay, service, "consumer", f"{CASES.name} process")
        tree.under(referral, service, "consumer", f"{REFERRALS.name} process")


def test_the_referred_agency_reads_the_details_and_the_read_is_audited(seeded: Platform) -> None:
    platform = seeded
    response = httpx.post(f"{platform.url('intake')}/v1/reports", json=AUDITED_REPORT, timeout=10)
    assert response.status_code == 201, response.text
    case_id = response.json()["case_id"]
    admin = _province_admin(platform)
    lead = _wait(lambda: _lead_referral(platform, case_id), what="the lead referral")
    staff = platform.bearer(Role.AGENCY_STAFF, user_id="e2e-staff", agency_id=lead["agency_id"])
    case_url = f"{platform.url('intake')}/v1/cases/{case_id}"

    # Intake learns of the referral from its event; until then the agency is refused like any stranger.
    case = _wait(lambda: (r := httpx.get(case_url, headers=staff, timeout=10)).status_code == 200 and r.json(),
                 what="the referred agency's access")
    assert case["personal"] == {
        "narrative": AUDITED_REPORT["narrative"], "victims.0.name": "Wulandari Sitompul",
        "perpetrators.0.name": "Fransiskus Gultom", "reporter.name": "Hendrawan Situmeang",
        "reporter.phone": "+62 813-5550-4477", "reporter.email": "hendrawan.situmeang.e2e@contoh.id",
        "location.address": AUDITED_REPORT["location"]["address"],
    }
    assert case["channel"] == "web"
    assert case["record"]["victims"][0]["sex"] == "perempuan"
    assert "name" not in case["record"]["victims"][0]
    assert "address" not in case["record"]["location"]
    # The province admin sees the case but none of the details, and that read is no personal-data read.
    overview = httpx.get(case_url, headers=admin, timeout=10)
    assert overview.status_code == 200
    assert overview.json()["personal"] == {}
    assert "Wulandari" not in overview.text
    stranger = platform.bearer(Role.AGENCY_STAFF, user_id="e2e-stranger", agency_id="uptd-ppa-63.71")
    refused = httpx.get(case_url, headers=stranger, timeout=10)
    assert refused.status_code == 404
    assert "Wulandari" not in refused.text
    assert AUDITED_REPORT["location"]["regency_code"] not in refused.text

    auditor = platform.bearer(Role.AUDITOR, user_id="e2e-auditor", province_code="62")
    trail_url = f"{platform.url('reporting')}/v1/audit/cases/{case_id}/reads"
    [read] = _wait(lambda: httpx.get(trail_url, headers=auditor, timeout=10).json(), what="the audit trail")
    assert read["actor_user_id"] == "e2e-staff"
    assert read["actor_agency_id"] == lead["agency_id"]
    assert read["actor_roles"] == ["agency_staff"]
    assert read["fields"] == sorted({"narrative", "victim_identity", "perpetrator_identity", "reporter_identity",
                                     "reporter_contact", "address"})
    assert read["endpoint"] == "GET /v1/cases/{case_id}"
    assert httpx.get(trail_url, headers=admin, timeout=10).status_code == 403  # the trail is the auditors'


def test_an_operator_records_the_report_a_whatsapp_message_brings(seeded: Platform) -> None:
    """The gateway posts the message signed with its secret; it waits as a draft until an operator, having
    called back, records the report, which takes the message's channel."""
    platform = seeded
    intake = platform.url("intake")
    body = json.dumps(WHATSAPP_MESSAGE).encode()
    headers = {"content-type": "application/json", SIGNATURE_HEADER: sign(DEVELOPMENT_GATEWAY_SECRET, body)}
    received = httpx.post(f"{intake}/v1/inbound/whatsapp", content=body, headers=headers, timeout=10)
    assert received.status_code == 202, received.text
    draft_id = received.json()["draft_id"]
    unsigned = httpx.post(f"{intake}/v1/inbound/whatsapp", content=body, timeout=10,
                          headers={"content-type": "application/json"})
    assert unsigned.status_code == 401

    drafts = httpx.get(f"{intake}/v1/drafts", headers=_operator(platform), params={"limit": 200}, timeout=10)
    assert drafts.status_code == 200, drafts.text
    [draft] = [d for d in drafts.json() if d["draft_id"] == draft_id]
    assert (draft["channel"], draft["sender"], draft["text"]) == (
        "whatsapp", WHATSAPP_MESSAGE["from"], WHATSAPP_MESSAGE["text"])

    recorded = httpx.post(f"{intake}/v1/drafts/{draft_id}/report", json=WHATSAPP_REPORT,
                          headers=_operator(platform), timeout=10)
    assert recorded.status_code == 201, recorded.text
    case = httpx.get(f"{intake}/v1/cases/{recorded.json()['case_id']}", headers=_operator(platform), timeout=10)
    assert case.status_code == 200, case.text
    assert case.json()["channel"] == "whatsapp"
    assert case.json()["personal"]["victims.0.name"] == WHATSAPP_REPORT["victims"][0]["name"]
    again = httpx.post(f"{intake}/v1/drafts/{draft_id}/report", json=WHATSAPP_REPORT,
                       headers=_operator(platform), timeout=10)
    assert again.status_code == 409, again.text


def _report_values(report: Mapping[str, Any]) -> set[str]:
    """A report's personal values: the victims' and perpetrators' names, the reporter's name, phone and email,
    the address and the narrative; each phone number also as its bare digits."""
    people = [*report["victims"], *report.get("perpetrators", []), report["reporter"]]
    values = {str(person[key]) for person in people for key in ("name", "birth_date", "phone", "email")
              if person.get(key)}
    values |= {"".join(ch for ch in str(person["phone"]) if ch.isdigit()) for person in people if person.get("phone")}
    values.add(report["narrative"])
    if report["location"].get("address"):
        values.add(report["location"]["address"])
    # Nothing the record holds as personal is left out of the scan.
    personal = {value for _, value in split_personal(Report.model_validate(report))[1].values()}
    assert personal <= values, personal - values
    return values


def _personal_values() -> set[str]:
    """Every personal value the platform was given in this module."""
    reports = [*sample_reports(SAMPLE_REPORTS), TRACED_REPORT, AUDITED_REPORT, WHATSAPP_REPORT]
    values = {WHATSAPP_MESSAGE["from"], WHATSAPP_MESSAGE["text"]}
    for report in reports:
        values |= _report_values(report)
    return values


def _database_dump(platform: Platform, into: Path) -> str:
    dsn = make_url(platform.infra.admin_dsn).set(drivername="postgresql").render_as_string(hide_password=False)
    subprocess.run([str(postgres.server_bin_dir() / "pg_dump"), "--dbname", dsn, "--file", str(into)],
                   check=True, timeout=120)
    return into.read_text(errors="replace")


async def _every_topic(bootstrap_servers: str) -> str:
    """Every record of every topic, from the beginning to the current end, keys, values and headers."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False,
                                fetch_max_wait_ms=50)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for topic in await consumer.topics()
                      for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        chunks: list[str] = []
        async with asyncio.timeout(60):
            while [tp for tp in partitions if await consumer.position(tp) < end[tp]]:
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    chunks += [f"{r.key!r} {r.value!r} {r.headers!r}" for r in records]
        assert chunks, "the topics hold the platform's events"
        return "\n".join(chunks)
    finally:
        await consumer.stop()


def _wait_for_every_span_so_far(platform: Platform, otlp_receiver: Any) -> None:
    """Until every span each service has ended so far has reached the receiver: a request to each, on a path of
    this call's own, ends a span after them, and a service's exporter sends its spans in the order they ended."""
    marker = f"/spans-so-far-{uuid.uuid4().hex}"
    for service in SERVICES:
        httpx.get(f"{platform.url(service)}{marker}", timeout=10)  # no such page: only its span matters
    services = {f"sinergi-{service}" for service in SERVICES}
    otlp_receiver.wait_for(lambda spans: {s.service for s in spans if marker in s.text()} >= services)


def test_no_personal_value_in_plaintext_anywhere(seeded: Platform, otlp_receiver: Any) -> None:
    """Runs last: after the reports, the referrals, the webhooks and the agencies' reads above."""
    platform = seeded
    otlp_receiver.wait_for(lambda spans: any(s.service == "sinergi-reporting" for s in spans))
    _wait_for_every_span_so_far(platform, otlp_receiver)  # the last spans of the reads, batched by the exporters
    places = {
        "the database dump": _database_dump(platform, platform.run_dir / "scan-dump.sql"),
        "the topics": asyncio.run(_every_topic(platform.infra.kafka_bootstrap_servers)),
        "the logs": "\n".join(log.read_text(errors="replace")
                              for log in sorted((platform.run_dir / "logs").glob("*.log"))),
        "the spans": "\n".join(span.text() for span in otlp_receiver.spans),
    }
    assert "case_personal_fields" in places["the database dump"]
    assert "v1:" in places["the database dump"], "the ciphertexts are in the dump"
    values = _personal_values()
    assert len(values) > 7 * SAMPLE_REPORTS
    leaks = [(value, place) for place, text in places.items() for value in values if value in text]
    assert not leaks, f"{len(leaks)} personal values in plaintext, in: {sorted({p for _, p in leaks})}"
