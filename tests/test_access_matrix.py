"""Who may do what, as one table: roles x agencies x regions x every endpoint of every service.

A small world is built through the services' own APIs and events (the four services in process, the real
Postgres and broker): case A reported by an operator in Barito Timur (62.13) and referred by routing to the
UPTD PPA there, with a note the operator added later; case C, a second report of case A's victim by the same
operator (so intake links the two), which the matrix closes; case B reported by the public in Banjarmasin
(63.71); a WhatsApp message from the gateway waiting as a draft for an operator; a province admin's
subscription for the UPTD PPA of 62.13; and one audited read of case A. Then every principal below calls every
endpoint:

- an allowed call succeeds (2xx; a repeated action on a changed state may answer 409);
- a "filtered" call succeeds but shows none of case A (a list scoped to what the caller may see);
- any other call fails with 401 (no identity), 403 or 404, and its body holds nothing of case A.

``MATRIX`` has one entry per endpoint; a route that is in no entry fails ``test_every_endpoint_is_in_the_matrix``,
so an endpoint added later joins with one line. ``DATABASE_MATRIX`` asks Postgres the same questions directly
as the app role, with each principal's identity set for the transaction and no API check in the way: row-level
security alone must give the same answers.

The workspace's pages, which call these endpoints as the signed-in person, have their part of the matrix in
``tests/test_access_matrix_workspace.py`` (every page and form, per role, signed in through the OIDC provider).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import yaml
from fastapi import FastAPI
from sqlalchemy import exc, text

from intake.settings import DEVELOPMENT_GATEWAY_SECRET
from routing.directory_data import by_province, demo_directory
from shared.access import SERVICE_CONTEXT, AccessContext
from shared.auth import AGENCY_ROLES, Principal, Role
from shared.webhooks import SIGNATURE_HEADER, sign
from tests.apps import four_apps

pytestmark = pytest.mark.integration

# --- the people -------------------------------------------------------------------------------------------------

LEAD_AGENCY = "uptd-ppa-62.13"  # routing's lead agency for a case in 62.13 (the demo directory)


def _principal(user_id: str, *roles: Role, **claims: str) -> Principal:
    return Principal(
        user_id=user_id, roles=frozenset(roles), agency_id=claims.get("agency_id"),
        agency_type=claims.get("agency_type"), province_code=claims.get("province_code"),
        regency_code=claims.get("regency_code"),
    )


PRINCIPALS: dict[str, Principal | None] = {
    "public": None,
    "operator-a": _principal("operator-a", Role.OPERATOR),  # took the report of case A
    "operator-b": _principal("operator-b", Role.OPERATOR),
    "staff-62.13": _principal("staff-62.13", Role.AGENCY_STAFF, agency_id=LEAD_AGENCY, agency_type="uptd_ppa"),
    "supervisor-62.13": _principal("supervisor-62.13", Role.AGENCY_SUPERVISOR, agency_id=LEAD_AGENCY,
                                   agency_type="uptd_ppa"),
    # Same district as case A, not referred: a school must not see it.
    "school-62.13": _principal("school-62.13", Role.AGENCY_STAFF, agency_id="disdik-62.13",
                               agency_type="dinas_pendidikan"),
    # A police unit of another district of the same province.
    "police-62.01": _principal("police-62.01", Role.AGENCY_STAFF, agency_id="polres-62.01", agency_type="police_ppa"),
    "staff-63.71": _principal("staff-63.71", Role.AGENCY_STAFF, agency_id="uptd-ppa-63.71", agency_type="uptd_ppa"),
    "district-62.13": _principal("district-62.13", Role.DISTRICT_SUPERVISOR, province_code="62",
                                 regency_code="62.13"),
    "district-62.01": _principal("district-62.01", Role.DISTRICT_SUPERVISOR, province_code="62",
                                 regency_code="62.01"),
    "admin-62": _principal("admin-62", Role.PROVINCE_ADMIN, province_code="62"),
    "admin-63": _principal("admin-63", Role.PROVINCE_ADMIN, province_code="63"),
    "auditor-62": _principal("auditor-62", Role.AUDITOR, province_code="62"),
    "auditor-63": _principal("auditor-63", Role.AUDITOR, province_code="63"),
}
EVERYONE = frozenset(PRINCIPALS)
SIGNED_IN = EVERYONE - {"public"}
LEAD_AGENCY_PEOPLE = frozenset({"staff-62.13", "supervisor-62.13"})
REGION_OF_A = frozenset({"district-62.13", "admin-62", "auditor-62"})  # supervise 62.13, without personal fields
CASE_A_VIEWERS = LEAD_AGENCY_PEOPLE | REGION_OF_A | {"operator-a"}
CASE_A_CHANGERS = LEAD_AGENCY_PEOPLE | {"operator-a"}  # who recorded it, and the agency it is referred to
OPERATORS = frozenset({"operator-a", "operator-b"})
# Staff say how a report reached them; everyone else reports on the web.
STAFF = frozenset(name for name, p in PRINCIPALS.items() if p and p.has_role(Role.OPERATOR, *AGENCY_ROLES))
# Case A's personal fields, by path (as GET /v1/cases/{case_id} shows them), and their kinds; notes come on top,
# as ``notes.<update id>`` of kind narrative.
PERSONAL_PATHS = frozenset({"narrative", "victims.0.name", "perpetrators.0.name", "reporter.name", "reporter.phone",
                            "location.address"})
PERSONAL_KINDS = frozenset({"narrative", "victim_identity", "perpetrator_identity", "reporter_identity",
                            "reporter_contact", "address"})

# --- every endpoint ---------------------------------------------------------------------------------------------

NEW_AGENCY = {"agency_id": "matrix-ngo-62.13", "name": "LSM Uji Matriks", "agency_type": "ngo", "level": "regency",
              "province_code": "62", "regency_code": "62.13", "services": ["rehabilitasi_sosial"]}
DIRECTORY_FILE = yaml.safe_dump({"agencies": [NEW_AGENCY]})  # a directory file, as PUT /v1/directory/import takes
# NEW_AGENCY is of province 62: its admin's alone (admin-63 keeps 63's, and the national default rules are a
# national admin's, who is not in the matrix: nobody here may change them).
DIRECTORY_ADMINS = frozenset({"admin-62"})
NATIONAL_RULE_EDITORS: frozenset[str] = frozenset()
NEW_SUBSCRIPTION = {"agency_id": LEAD_AGENCY, "target": "http://127.0.0.1:9/matrix",
                    "event_types": ["referral.created"], "secret": "matrix-secret-0123456789abcdef"}
# Whoever may read an agency's or a region's subscriptions at all (what each sees is narrower).
SUBSCRIPTION_READERS = frozenset(
    name for name, p in PRINCIPALS.items()
    if p and p.has_role(*AGENCY_ROLES, Role.DISTRICT_SUPERVISOR, Role.PROVINCE_ADMIN)
)
# Subscription A was made by the province admin for the lead agency: the admin manages it, the agency reads it.
SUBSCRIPTION_A_MANAGERS = frozenset({"admin-62"})


INCIDENT_DAY = (date.today() - timedelta(days=2)).isoformat()  # noqa: DTZ011 - a calendar date, like the API's
GATEWAY = "whatsapp"  # the gateway the world's message came from
GATEWAY_SECRET = DEVELOPMENT_GATEWAY_SECRET  # what intake's development settings share with each gateway
# An anonymous report with nothing to fingerprint, so that the matrix's own reports link to nothing.
MATRIX_REPORT: dict[str, Any] = {
    "incident": {"precision": "unknown"},
    "location": {"province_code": "62", "regency_code": "62.01", "place": "lainnya"},
    "violence_types": ["psikis"], "victims": [{"sex": "perempuan", "age": 30}],
    "reporter": {"anonymous": True, "relation": "lainnya"}, "narrative": "Laporan uji matriks akses.",
}
MESSAGE_A = {"message_id": "matrix-wa-0001", "from": "6281100004343",
             "text": "Pesan WhatsApp matriks rahasia: tolong, adik saya dipukul."}


def _report_as(name: str) -> dict[str, Any]:
    """The matrix's report as ``name`` sends it: staff with the channel it reached them by, others on the web."""
    return {**MATRIX_REPORT, "channel": "hotline" if name in STAFF else "web"}


FORM = "application/x-www-form-urlencoded"
REPORTER_F: dict[str, str] = {}  # case F's number and one-time code (sent through the form), once the world made it
CASE_F_FORM = {"aksi": "kirim", "tanggal_tidak_tahu": "on", "provinsi": "62", "kabupaten": "62.01",
               "tempat": "lainnya", "jenis": "psikis", "korban_jk": "perempuan", "anonim": "on",
               "hubungan": "lainnya", "cerita": "Laporan uji matriks lewat formulir."}


def _reporter_form(**more: str) -> str:
    return urlencode({"nomor": REPORTER_F["number"], "kode": REPORTER_F["code"], **more})


@dataclass(frozen=True)
class Entry:
    service: str
    method: str
    route: str  # the route's path template, as the app declares it
    kind: str  # read, act, subscribe, export, submit or admin
    allowed: frozenset[str]
    filtered: frozenset[str] = frozenset()
    params: Mapping[str, str] = field(default_factory=dict)
    body: Mapping[str, Any] | Callable[[str], Mapping[str, Any]] | str | None = None  # or each principal's body
    shows: str | None = None  # the world id an allowed answer must contain
    at: Mapping[str, str] = field(default_factory=dict)  # path parameter -> world id, where not the default one
    signed: bool = False  # signed with the gateway's secret, as a message gateway calls (besides any token)
    media_type: str = "application/json"  # of the body; a str body is sent as it is


MATRIX = (
    Entry("intake", "POST", "/v1/reports", "submit", EVERYONE, body=_report_as),
    Entry("intake", "GET", "/v1/cases", "read", CASE_A_VIEWERS, filtered=SIGNED_IN - CASE_A_VIEWERS,
          params={"limit": "500"}, shows="case_a"),
    Entry("intake", "GET", "/v1/cases/{case_id}", "read", CASE_A_VIEWERS, shows="case_a"),
    # Supervisors of the region see case A but may not change it; an agency not handling it does not see it.
    # Everyone who sees case A sees who wrote its notes; the text only who reads its narrative (tested below).
    Entry("intake", "GET", "/v1/cases/{case_id}/notes", "read", CASE_A_VIEWERS, shows="update_a"),
    Entry("intake", "POST", "/v1/cases/{case_id}/updates", "act", CASE_A_CHANGERS,
          body={"kind": "information_added", "note": "Catatan matriks: korban sudah dihubungi kembali."}),
    # Case C (a second report of case A's victim): who recorded it, or the case manager it is referred to.
    Entry("intake", "POST", "/v1/cases/{case_id}/close", "act", CASE_A_CHANGERS, body={"reason": "handled"},
          at={"case_id": "case_c"}, shows="case_c"),
    # Case C, closed just above: the district supervisor of its regency, or its lead agency (read-only follow-up).
    Entry("intake", "POST", "/v1/cases/{case_id}/reopen", "act", LEAD_AGENCY_PEOPLE | {"district-62.13"},
          body={"reason": "closed_by_mistake"}, at={"case_id": "case_c"}, shows="case_c"),
    # A gateway is known by its signature, not by a token: whoever holds the secret may post.
    Entry("intake", "POST", "/v1/inbound/{gateway}", "submit", EVERYONE, body=MESSAGE_A, signed=True,
          shows="draft_a"),
    Entry("intake", "GET", "/v1/drafts", "read", OPERATORS, params={"limit": "200"}, shows="draft_a"),
    Entry("intake", "POST", "/v1/drafts/{draft_id}/report", "act", OPERATORS,
          body={**MATRIX_REPORT, "location": {**MATRIX_REPORT["location"], "regency_code": "62.13"}}),
    # Staff see a report's possible duplicates in their own region (the matrix's staff have none: an empty list).
    Entry("intake", "POST", "/v1/reports/duplicates", "read", STAFF, body=_report_as),
    # Case F (a P3 report operator-a recorded): raised by who recorded it; a second raise to P2 is a 409.
    Entry("intake", "POST", "/v1/cases/{case_id}/priority", "act", frozenset({"operator-a"}),
          body={"priority": "P2", "reason": "Matriks: penelepon menelepon lagi."}, at={"case_id": "case_f"},
          shows="case_f"),
    Entry("intake", "GET", "/v1/regions", "read", EVERYONE),
    Entry("intake", "GET", "/lapor", "read", EVERYONE),
    # The public form posts plain form fields; a region round trip opens no case.
    Entry("intake", "POST", "/lapor", "submit", EVERYONE, body="aksi=wilayah&provinsi=62", media_type=FORM),
    # The reporter's status page: whoever holds case F's number and one-time code, signed in or not.
    Entry("intake", "GET", "/lapor/status", "read", EVERYONE),
    Entry("intake", "POST", "/lapor/status", "read", EVERYONE, body=lambda _name: _reporter_form(),
          media_type=FORM, shows="case_f_number"),
    Entry("intake", "POST", "/lapor/status/informasi", "submit", EVERYONE,
          body=lambda _name: _reporter_form(informasi="Informasi matriks dari pelapor."), media_type=FORM,
          shows="case_f_number"),
    Entry("routing", "PUT", "/v1/directory", "admin", DIRECTORY_ADMINS, body={"agencies": [NEW_AGENCY]}),
    Entry("routing", "GET", "/v1/agencies", "read", SIGNED_IN),
    Entry("routing", "GET", "/v1/agencies/{agency_id}", "read", SIGNED_IN, shows="agency"),
    Entry("routing", "PUT", "/v1/agencies/{agency_id}", "admin", DIRECTORY_ADMINS, body=NEW_AGENCY),
    Entry("routing", "DELETE", "/v1/agencies/{agency_id}", "admin", DIRECTORY_ADMINS),
    Entry("routing", "GET", "/v1/directory/export", "export", SIGNED_IN, params={"province": "62"}, shows="agency"),
    Entry("routing", "PUT", "/v1/directory/import", "admin", DIRECTORY_ADMINS, body=DIRECTORY_FILE,
          media_type="application/yaml"),
    Entry("routing", "GET", "/v1/cases/{case_id}/referrals", "read", LEAD_AGENCY_PEOPLE | REGION_OF_A,
          shows="referral_a"),
    # Each audience's own list: the agency's, the regency's, the province's; the other agencies and regions get
    # theirs, without case A's referral; auditors, operators and the national admin list none.
    Entry("routing", "GET", "/v1/referrals", "read", LEAD_AGENCY_PEOPLE | {"district-62.13", "admin-62"},
          filtered=frozenset({"school-62.13", "police-62.01", "staff-63.71", "district-62.01", "admin-63"}),
          params={"limit": "100", "priority": "P1"}, shows="referral_a"),
    # The district supervisor's view of their regency (a province admin's of their province): case A's open lead
    # referral first; another region's supervisors get theirs, without it.
    Entry("routing", "GET", "/v1/district/referrals", "read", frozenset({"district-62.13", "admin-62"}),
          filtered=frozenset({"district-62.01", "admin-63"}), shows="referral_a"),
    Entry("routing", "GET", "/v1/district/workload", "read", frozenset({"district-62.13", "admin-62"}),
          filtered=frozenset({"district-62.01", "admin-63"})),
    # The lead agency's working notes on its referral: its own people only, while the referral is live.
    Entry("routing", "POST", "/v1/referrals/{referral_id}/follow-ups", "act", LEAD_AGENCY_PEOPLE,
          body=lambda _name: {"due_at": (datetime.now(UTC) + timedelta(days=3)).isoformat(), "note": FOLLOW_UP_A}),
    Entry("routing", "GET", "/v1/referrals/{referral_id}/follow-ups", "read", LEAD_AGENCY_PEOPLE,
          shows="follow_up_a"),
    Entry("routing", "POST", "/v1/referrals/{referral_id}/follow-ups/{follow_up_id}/done", "act",
          LEAD_AGENCY_PEOPLE, shows="follow_up_a"),
    Entry("routing", "POST", "/v1/referrals/{referral_id}/accept", "act", LEAD_AGENCY_PEOPLE),
    Entry("routing", "POST", "/v1/referrals/{referral_id}/start", "act", LEAD_AGENCY_PEOPLE),
    Entry("routing", "POST", "/v1/referrals/{referral_id}/complete", "act", LEAD_AGENCY_PEOPLE,
          body={"services_given": ["pengaduan", "rehabilitasi_sosial"]}),
    # Case E's lead referral is declined (and re-routed); case D's is revoked by the region. (Not case C's: intake's
    # row above closes case C, and routing then ends its referrals, so a decline of them is refused with 409.)
    Entry("routing", "POST", "/v1/referrals/{referral_id}/decline", "act", LEAD_AGENCY_PEOPLE,
          body={"reason": "Matriks: di luar kapasitas layanan"}, at={"referral_id": "referral_e"}),
    Entry("routing", "POST", "/v1/referrals/{referral_id}/revoke", "act", REGION_OF_A - {"auditor-62"},
          body={"reason": "Matriks: rujukan ditarik"}, at={"referral_id": "referral_d"}),
    Entry("routing", "GET", "/v1/referrals/{referral_id}", "read", LEAD_AGENCY_PEOPLE | REGION_OF_A,
          shows="referral_a"),
    Entry("routing", "GET", "/v1/rules", "read", SIGNED_IN),
    Entry("routing", "PUT", "/v1/rules", "act", NATIONAL_RULE_EDITORS, body=lambda _name: NEXT_RULES["yaml"],
          media_type="application/yaml"),
    Entry("routing", "GET", "/v1/provinces/{province_code}/rules", "read", SIGNED_IN, at={"province_code": "province"}),
    Entry("routing", "PUT", "/v1/provinces/{province_code}/rules", "act", DIRECTORY_ADMINS,
          body=lambda _name: NEXT_RULES["yaml"], media_type="application/yaml", at={"province_code": "province"}),
    # Where a sample case would go under the rules in force: stores nothing; the province's admin only.
    Entry("routing", "POST", "/v1/provinces/{province_code}/rules/preview", "act", DIRECTORY_ADMINS,
          body={"case": {"regency_code": "62.13", "district_code": "62.13.01"}}, at={"province_code": "province"}),
    # By hand, by the region's supervisors (after the decline and revoke above): case D, whose lead was revoked, to
    # the regency's Dinas PPA; case E's lead (re-routed after its decline) to the province's UPTD PPA.
    Entry("routing", "POST", "/v1/cases/{case_id}/referrals", "act", REGION_OF_A - {"auditor-62"},
          body={"agency_id": "dinas-ppa-62.13", "reason": "Matriks: rujukan manual"}, at={"case_id": "case_d"}),
    Entry("routing", "POST", "/v1/cases/{case_id}/lead-handover", "act", REGION_OF_A - {"auditor-62"},
          body={"agency_id": "uptd-ppa-62", "reason": "Matriks: lembaga utama dialihkan"}, at={"case_id": "case_e"}),
    Entry("notifications", "POST", "/v1/subscriptions", "subscribe",
          frozenset({"supervisor-62.13", "admin-62", "admin-63"}), body=NEW_SUBSCRIPTION),
    Entry("notifications", "GET", "/v1/subscriptions", "read", LEAD_AGENCY_PEOPLE | {"admin-62"},
          filtered=frozenset({"admin-63"}), params={"agency_id": LEAD_AGENCY}, shows="subscription_a"),
    Entry("notifications", "GET", "/v1/subscriptions/{subscription_id}/deliveries", "read",
          LEAD_AGENCY_PEOPLE | {"admin-62"}, shows="delivery_a"),
    Entry("notifications", "GET", "/v1/event-types", "read", SUBSCRIPTION_READERS),
    Entry("notifications", "GET", "/v1/subscriptions/{subscription_id}", "read", LEAD_AGENCY_PEOPLE | {"admin-62"},
          shows="subscription_a"),
    Entry("notifications", "PATCH", "/v1/subscriptions/{subscription_id}", "act", SUBSCRIPTION_A_MANAGERS,
          body={"language": "en"}, at={"subscription_id": "subscription_b"}),
    Entry("notifications", "POST", "/v1/subscriptions/{subscription_id}/pause", "act", SUBSCRIPTION_A_MANAGERS,
          at={"subscription_id": "subscription_b"}),
    Entry("notifications", "POST", "/v1/subscriptions/{subscription_id}/resume", "act", SUBSCRIPTION_A_MANAGERS,
          at={"subscription_id": "subscription_b"}),
    Entry("notifications", "POST", "/v1/subscriptions/{subscription_id}/rotate-secret", "act",
          SUBSCRIPTION_A_MANAGERS, body={"keep_previous_for_seconds": 0}, at={"subscription_id": "subscription_b"}),
    Entry("notifications", "DELETE", "/v1/subscriptions/{subscription_id}", "act", SUBSCRIPTION_A_MANAGERS,
          at={"subscription_id": "subscription_c"}),
    # Delivery A, dead-lettered for the matrix: sent again by who manages its subscription.
    Entry("notifications", "POST", "/v1/subscriptions/{subscription_id}/deliveries/{delivery_id}/redeliver", "act",
          SUBSCRIPTION_A_MANAGERS),
    # Statistics answer everyone: exactly who supervises the region, suppressed for the rest (below).
    Entry("reporting", "GET", "/v1/stats/cases", "export", EVERYONE, params={"province": "62"}),
    Entry("reporting", "GET", "/v1/stats/referrals", "export", EVERYONE, params={"province": "62"}),
    Entry("reporting", "GET", "/dashboard", "export", EVERYONE, params={"province": "62"}),  # the same, as a page
    Entry("reporting", "GET", "/v1/exports/simfoni.csv", "export", REGION_OF_A | {"district-62.01"},
          params={"province": "62"}),
    Entry("reporting", "GET", "/v1/exports/simfoni.xlsx", "export", REGION_OF_A | {"district-62.01"},
          params={"province": "62"}),
    Entry("reporting", "GET", "/v1/audit/cases/{case_id}/reads", "read", frozenset({"auditor-62"}),
          shows="case_a"),
    Entry("reporting", "GET", "/v1/audit/cases/{case_id}/trail", "read", frozenset({"auditor-62"}),
          shows="case_a"),
    # Any auditor may look a number up (each finds only their province's cases); the chain of case A: its own.
    Entry("reporting", "GET", "/v1/audit/cases", "read", frozenset({"auditor-62", "auditor-63"}),
          params={"case_number": "matrix-no-such-case"}),
    Entry("reporting", "GET", "/v1/audit/cases/{case_id}/verification", "read", frozenset({"auditor-62"}),
          shows="case_a"),
)
# /metrics (Prometheus, outside the OpenAPI documents) holds counts by topic, event type, consumer group, deadline
# and channel: no personal data and no case id by construction (shared.metrics), so no access rule applies.
NOT_IN_THE_MATRIX = {"/health", "/ready", "/metrics", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


# --- the same rules, asked of Postgres directly -----------------------------------------------------------------


@dataclass(frozen=True)
class DatabaseCheck:
    service: str
    question: str
    sql: str  # counts the rows of the world the principal's transaction sees
    sees: frozenset[str]


DATABASE_MATRIX = (
    DatabaseCheck("intake", "case A", "SELECT count(*) FROM cases WHERE case_id = :case_a", CASE_A_VIEWERS),
    DatabaseCheck("intake", "case A's personal fields",
                  "SELECT count(*) FROM case_personal_fields WHERE case_id = :case_a",
                  LEAD_AGENCY_PEOPLE | {"operator-a"}),
    DatabaseCheck("intake", "case A's reporter phone",
                  "SELECT count(*) FROM case_personal_fields WHERE case_id = :case_a AND field = 'reporter.phone'"
                  " AND kind = 'reporter_contact'", LEAD_AGENCY_PEOPLE | {"operator-a"}),
    DatabaseCheck("intake", "case A's note",
                  "SELECT count(*) FROM case_personal_fields WHERE case_id = :case_a AND field = 'notes.' || :update_a"
                  " AND kind = 'narrative'", LEAD_AGENCY_PEOPLE | {"operator-a"}),
    DatabaseCheck("intake", "case A's updates", "SELECT count(*) FROM case_updates WHERE update_id = :update_a",
                  CASE_A_VIEWERS),
    DatabaseCheck("intake", "the link between cases A and C",
                  "SELECT count(*) FROM case_links WHERE :case_a IN (case_id::text, linked_case_id::text)",
                  CASE_A_VIEWERS),
    # Compared by the service alone: not even who may read case A reads its fingerprints.
    DatabaseCheck("intake", "case A's fingerprints",
                  "SELECT least(count(*), 1) FROM case_fingerprints WHERE case_id = :case_a", frozenset()),
    DatabaseCheck("intake", "the gateway's draft", "SELECT count(*) FROM message_drafts WHERE draft_id = :draft_a",
                  OPERATORS),
    DatabaseCheck("intake", "who case A is referred to", "SELECT count(*) FROM case_access WHERE case_id = :case_a",
                  LEAD_AGENCY_PEOPLE),
    DatabaseCheck("intake", "case B", "SELECT count(*) FROM cases WHERE case_id = :case_b",
                  frozenset({"staff-63.71", "admin-63", "auditor-63"})),
    DatabaseCheck("routing", "case A's referrals", "SELECT count(*) FROM referrals WHERE case_id = :case_a",
                  LEAD_AGENCY_PEOPLE | REGION_OF_A),
    DatabaseCheck("routing", "the directory", "SELECT least(count(*), 1) FROM agencies", SIGNED_IN),
    DatabaseCheck("routing", "the follow-up on case A's referral",
                  "SELECT count(*) FROM follow_ups WHERE follow_up_id = :follow_up_a", LEAD_AGENCY_PEOPLE),
    DatabaseCheck("notifications", "the subscription for case A's agency",
                  "SELECT count(*) FROM subscriptions WHERE subscription_id = :subscription_a",
                  LEAD_AGENCY_PEOPLE | {"admin-62"}),
    # To subscription A (other tests' region subscriptions of 62.13 may hold case A's events for its supervisor).
    DatabaseCheck("notifications", "case A's delivery",
                  "SELECT count(*) FROM deliveries WHERE case_id = :case_a AND subscription_id = :subscription_a",
                  LEAD_AGENCY_PEOPLE | {"admin-62"}),
    DatabaseCheck("reporting", "case A in the statistics", "SELECT count(*) FROM case_facts WHERE case_id = :case_a",
                  REGION_OF_A),
    DatabaseCheck("reporting", "case A's violence types",
                  "SELECT least(count(*), 1) FROM case_violence_types WHERE case_id = :case_a", REGION_OF_A),
    DatabaseCheck("reporting", "case A's victims",
                  "SELECT least(count(*), 1) FROM case_victims WHERE case_id = :case_a", REGION_OF_A),
    DatabaseCheck("reporting", "case A's perpetrators' relationships",
                  "SELECT least(count(*), 1) FROM case_relationships WHERE case_id = :case_a", REGION_OF_A),
    DatabaseCheck("reporting", "case A's referral in the statistics",
                  "SELECT least(count(*), 1) FROM referral_facts WHERE case_id = :case_a", REGION_OF_A),
    DatabaseCheck("reporting", "case A's read trail",
                  "SELECT least(count(*), 1) FROM personal_data_reads WHERE case_id = :case_a",
                  frozenset({"auditor-62"})),
    DatabaseCheck("reporting", "case A's audit trail",
                  "SELECT least(count(*), 1) FROM case_audit_records WHERE case_id = :case_a",
                  frozenset({"auditor-62"})),
)

# Writes straight to the tables: (service, what, statement, who may). A refused write changes no row or is
# rejected by a policy; every write runs in a transaction that is rolled back.
DATABASE_WRITES: tuple[tuple[str, str, str, frozenset[str]], ...] = (
    ("routing", "accept case A's referral", "UPDATE referrals SET status = 'accepted' WHERE case_id = :case_a",
     LEAD_AGENCY_PEOPLE),
    ("routing", "change the directory", "UPDATE agencies SET name = name || ' (x)'",
     frozenset({"admin-62", "admin-63"})),
    ("routing", "delete case A's referrals", "DELETE FROM referrals WHERE case_id = :case_a", frozenset()),
    ("intake", "delete case A", "DELETE FROM case_personal_fields WHERE case_id = :case_a", frozenset()),
    ("intake", "grant an agency case A",
     "INSERT INTO case_access (case_id, agency_id, agency_type, referral_id, referred_at)"
     " VALUES (:case_a, 'polres-62.01', 'police_ppa', gen_random_uuid(), now())", frozenset()),
    ("intake", "close case A behind the API", "UPDATE cases SET status = 'closed' WHERE case_id = :case_a",
     frozenset()),
    ("intake", "rewrite case A's updates", "UPDATE case_updates SET updated_by = 'x' WHERE case_id = :case_a",
     frozenset()),
    ("intake", "erase case A's updates", "DELETE FROM case_updates WHERE case_id = :case_a", frozenset()),
    ("intake", "link case B to case A",
     "INSERT INTO case_links (case_id, linked_case_id, reasons, linked_at)"
     " VALUES (:case_b, :case_a, ARRAY['same_victim'], now())", frozenset()),
    ("intake", "forge a fingerprint for case A",
     "INSERT INTO case_fingerprints (case_id, reason, digest, day) VALUES (:case_a, 'same_victim', 'forged', NULL)",
     frozenset()),
    ("intake", "mark the gateway's draft done",
     "UPDATE message_drafts SET completed_by = 'x' WHERE draft_id = :draft_a", OPERATORS),
    ("intake", "delete the gateway's draft", "DELETE FROM message_drafts WHERE draft_id = :draft_a", frozenset()),
    ("reporting", "recount case A elsewhere", "UPDATE case_facts SET regency_code = '62.01' WHERE case_id = :case_a",
     frozenset()),
    ("reporting", "erase case A's referral figures", "DELETE FROM referral_facts WHERE case_id = :case_a",
     frozenset()),
    ("reporting", "erase case A's read trail", "DELETE FROM personal_data_reads WHERE case_id = :case_a", frozenset()),
    ("reporting", "rewrite case A's audit trail",
     "UPDATE case_audit_records SET actor_user_id = 'x' WHERE case_id = :case_a", frozenset()),
)


# --- the world --------------------------------------------------------------------------------------------------


@dataclass
class World:
    apps: dict[str, FastAPI]
    clients: dict[str, httpx.AsyncClient]
    ids: dict[str, str]
    secrets: set[str]  # values that no refused call may show: ids, case number, personal values

    def headers(self, name: str, bearer: Callable[..., dict[str, str]]) -> dict[str, str]:
        principal = PRINCIPALS[name]
        if principal is None:
            return {}
        claims = {"agency_id": principal.agency_id, "agency_type": principal.agency_type,
                  "province_code": principal.province_code, "regency_code": principal.regency_code}
        return bearer(*principal.roles, user_id=principal.user_id, **claims)


CASE_A: dict[str, Any] = {
    "incident": {"date": INCIDENT_DAY, "precision": "day"},
    "location": {"province_code": "62", "regency_code": "62.13", "place": "rumah_tangga",
                 "address": "Jl. Matriks Rahasia No. 7"},
    "violence_types": ["seksual"], "channel": "hotline",
    "victims": [{"sex": "perempuan", "age": 12, "name": "Matriks Korban Rahasia"}],
    "perpetrators": [{"relationship": "tetangga", "name": "Matriks Pelaku Rahasia"}],
    "needs": ["pengaduan", "kesehatan"],
    "reporter": {"relation": "keluarga", "name": "Matriks Pelapor Rahasia", "phone": "+62 811-0000-4242"},
    "narrative": "Narasi matriks rahasia tentang kasus A.",
}
NOTE_A = "Catatan matriks rahasia: korban dipindahkan ke rumah kerabat."
FOLLOW_UP_A = "Tindak lanjut matriks rahasia: kunjungan ke rumah kerabat korban."
# The same victim again, by another reporter: intake links it to case A.
CASE_C: dict[str, Any] = {
    **CASE_A, "channel": "walk_in", "location": {**CASE_A["location"], "address": "Jl. Matriks Lain No. 9"},
    "perpetrators": [],
    "reporter": {"relation": "guru_sekolah", "name": "Matriks Guru Rahasia", "phone": "+62 811-0000-5353"},
    "narrative": "Narasi matriks rahasia tentang kasus C.",
}
CASE_B = {"incident": {"date": INCIDENT_DAY, "precision": "month"},
          "location": {"province_code": "63", "regency_code": "63.71", "place": "sekolah"},
          "violence_types": ["fisik"], "channel": "web", "victims": [{"sex": "laki_laki", "age": 15}],
          "reporter": {"anonymous": True, "relation": "teman"}, "narrative": "Narasi matriks kasus B."}


# A second public report in case A's regency: its lead referral is the one the matrix revokes.
CASE_D = {**CASE_B, "location": {"province_code": "62", "regency_code": "62.13", "place": "fasilitas_umum"},
          "narrative": "Narasi matriks kasus D."}
# A third, whose lead referral the matrix declines.
CASE_E = {**CASE_D, "narrative": "Narasi matriks kasus E."}
# The rules in force with the next version number, learnt while the world is built (other tests may have stored
# versions before): a province admin's PUT of it changes nothing but the version.
NEXT_RULES: dict[str, str] = {}


def _personal_values(report: Mapping[str, Any]) -> set[str]:
    """Every personal value of a report: names, contacts, the address and the narrative."""
    people = [*report["victims"], *report.get("perpetrators", []), report["reporter"]]
    values = {person[key] for person in people for key in ("name", "phone", "email") if person.get(key)}
    return values | {report["narrative"], *filter(None, [report["location"].get("address")])}


async def _eventually(check: Callable[[], Any], what: str) -> Any:
    """Poll ``check`` until it answers (events take a consumer-group join or two to arrive)."""
    try:
        async with asyncio.timeout(60):
            while True:
                if result := await check():
                    return result
                await asyncio.sleep(0.2)
    except TimeoutError:
        pytest.fail(f"timed out waiting until {what}")


@pytest.fixture(scope="module")
async def world(make_settings: Callable[..., Any], bearer: Callable[..., dict[str, str]]) -> AsyncIterator[World]:
    apps = four_apps(make_settings, only={"intake": {"http_public_rate_limit": "1000/minute",
                                                      "reporter_lookup_rate_limit": "1000/minute"}})
    async with contextlib.AsyncExitStack() as stack:
        clients = {}
        for name, app in apps.items():
            await stack.enter_async_context(app.router.lifespan_context(app))
            clients[name] = await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{name}", timeout=30)
            )
        world = World(apps, clients, {}, set())
        as_ = {name: world.headers(name, bearer) for name in PRINCIPALS}

        # Each province's agencies by its admin, the national ones by a national admin (not in the matrix).
        for province, entries in by_province([*demo_directory(), NEW_AGENCY]).items():
            writer = (bearer(Role.NATIONAL_ADMIN, user_id="matrix-national") if province is None
                      else world.headers(f"admin-{province}", bearer) if f"admin-{province}" in PRINCIPALS
                      else bearer(Role.PROVINCE_ADMIN, user_id=f"matrix-admin-{province}", province_code=province))
            directory = await clients["routing"].put("/v1/directory", json={"agencies": entries}, headers=writer)
            assert directory.status_code == 200, directory.text
        world.ids["province"] = "62"
        world.ids["agency"] = NEW_AGENCY["agency_id"]
        subscribed = await clients["notifications"].post(
            "/v1/subscriptions", headers=as_["admin-62"],
            json={**NEW_SUBSCRIPTION, "target": "http://127.0.0.1:9/world"},
        )
        assert subscribed.status_code == 201, subscribed.text
        world.ids["subscription_a"] = subscribed.json()["subscription_id"]
        for name in ("subscription_b", "subscription_c"):  # to change, and to delete
            made = await clients["notifications"].post(
                "/v1/subscriptions", headers=as_["admin-62"],
                json={**NEW_SUBSCRIPTION, "target": f"http://127.0.0.1:9/{name}"},
            )
            assert made.status_code == 201, made.text
            world.ids[name] = made.json()["subscription_id"]

        case_a = await clients["intake"].post("/v1/reports", json=CASE_A, headers=as_["operator-a"])
        case_b = await clients["intake"].post("/v1/reports", json=CASE_B)
        case_c = await clients["intake"].post("/v1/reports", json=CASE_C, headers=as_["operator-a"])
        case_f = await clients["intake"].post("/lapor", data=CASE_F_FORM)
        assert case_f.status_code == 201, case_f.text
        sent = dict(re.findall(r'<dd class="secret" id="(nomor|kode)">([^<]+)</dd>', case_f.text))
        REPORTER_F.update(number=sent["nomor"], code=sent["kode"])
        world.ids["case_f_number"] = REPORTER_F["number"]
        case_d = await clients["intake"].post("/v1/reports", json=CASE_D)
        assert case_d.status_code == 201, case_d.text
        world.ids["case_d"] = case_d.json()["case_id"]
        case_e = await clients["intake"].post("/v1/reports", json=CASE_E)
        assert case_e.status_code == 201, case_e.text
        world.ids["case_e"] = case_e.json()["case_id"]
        case_f = await clients["intake"].post("/v1/reports", json=_report_as("operator-a"), headers=as_["operator-a"])
        assert case_f.status_code == 201, case_f.text
        world.ids["case_f"] = case_f.json()["case_id"]
        assert case_a.status_code == case_b.status_code == case_c.status_code == 201, (
            case_a.text, case_b.text, case_c.text)
        world.ids |= {"case_a": case_a.json()["case_id"], "case_b": case_b.json()["case_id"],
                      "case_c": case_c.json()["case_id"]}

        async def lead_referral() -> str | None:
            response = await clients["routing"].get(f"/v1/cases/{world.ids['case_a']}/referrals",
                                                    headers=as_["admin-62"])
            leads = [r for r in response.json() if r["is_lead"]] if response.status_code == 200 else []
            return str(leads[0]["referral_id"]) if leads else None

        world.ids["referral_a"] = await _eventually(lead_referral, "routing refers case A")

        def lead_of(case: str) -> Callable[[], Any]:
            async def lead() -> str | None:
                response = await clients["routing"].get(f"/v1/cases/{world.ids[case]}/referrals",
                                                        headers=as_["admin-62"])
                leads = [r for r in response.json() if r["is_lead"]] if response.status_code == 200 else []
                return str(leads[0]["referral_id"]) if leads else None
            return lead

        world.ids["referral_c"] = await _eventually(lead_of("case_c"), "routing refers case C")
        world.ids["referral_d"] = await _eventually(lead_of("case_d"), "routing refers case D")
        world.ids["referral_e"] = await _eventually(lead_of("case_e"), "routing refers case E")
        in_force = yaml.safe_load((await clients["routing"].get("/v1/rules", headers=as_["admin-62"])).text)
        NEXT_RULES["yaml"] = yaml.safe_dump({**in_force, "version": in_force["version"] + 1})

        async def readable_by_the_lead_agency() -> bool:  # intake has heard of the referral; this read is audited
            response = await clients["intake"].get(f"/v1/cases/{world.ids['case_a']}", headers=as_["staff-62.13"])
            return response.status_code == 200

        await _eventually(readable_by_the_lead_agency, "intake lets the lead agency read case A")

        async def case_c_referred() -> bool:  # the list: no personal fields, no audited read
            response = await clients["intake"].get("/v1/cases", params={"limit": "500"}, headers=as_["staff-62.13"])
            return response.status_code == 200 and world.ids["case_c"] in response.text

        await _eventually(case_c_referred, "intake lets the lead agency see case C")

        noted = await clients["intake"].post(f"/v1/cases/{world.ids['case_a']}/updates", headers=as_["operator-a"],
                                             json={"kind": "information_added", "note": NOTE_A})
        # A refused note fails the checks that look for it (and the updates entry), not the whole world.
        world.ids["update_a"] = noted.json()["update_id"] if noted.status_code == 201 else str(uuid.UUID(int=0))

        followed = await clients["routing"].post(
            f"/v1/referrals/{world.ids['referral_a']}/follow-ups", headers=as_["staff-62.13"],
            json={"due_at": (datetime.now(UTC) + timedelta(days=2)).isoformat(), "note": FOLLOW_UP_A})
        assert followed.status_code == 201, followed.text
        world.ids["follow_up_a"] = followed.json()["follow_up_id"]

        message = json.dumps(MESSAGE_A).encode()
        drafted = await clients["intake"].post(f"/v1/inbound/{GATEWAY}", content=message, headers={
            "content-type": "application/json", SIGNATURE_HEADER: sign(GATEWAY_SECRET, message)})
        assert drafted.status_code == 202, drafted.text
        world.ids["draft_a"] = drafted.json()["draft_id"]

        async def audited() -> bool:
            response = await clients["reporting"].get(f"/v1/audit/cases/{world.ids['case_a']}/reads",
                                                      headers=as_["auditor-62"])
            return response.status_code == 200 and bool(response.json())

        await _eventually(audited, "reporting records the read of case A")

        async def in_the_audit_trail() -> bool:
            response = await clients["reporting"].get(f"/v1/audit/cases/{world.ids['case_a']}/trail",
                                                      headers=as_["auditor-62"])
            return response.status_code == 200 and bool(response.json())

        await _eventually(in_the_audit_trail, "reporting chains case A's events in its audit trail")

        async def delivery_queued_for_case_a() -> dict[str, Any] | None:
            response = await clients["notifications"].get(
                f"/v1/subscriptions/{world.ids['subscription_a']}/deliveries", headers=as_["admin-62"]
            )
            return response.json()[0] if response.status_code == 200 and response.json() else None

        delivery = await _eventually(delivery_queued_for_case_a,
                                     "notifications queues case A's referral for the subscription")

        case_number = case_a.json()["case_number"]
        world.ids["delivery_a"] = delivery["delivery_id"]
        async with apps["notifications"].state.runtime.unit_of_work(SERVICE_CONTEXT) as uow:
            await uow.session.execute(  # dead-lettered, for the redeliver entry
                text("UPDATE deliveries SET status = 'dead', next_attempt_at = NULL WHERE delivery_id = :id"),
                {"id": uuid.UUID(delivery["delivery_id"])},
            )
            await uow.commit()
        world.secrets = {world.ids[name] for name in ("case_a", "case_c", "referral_a", "subscription_a",
                                                      "delivery_a", "draft_a")}
        world.secrets |= {case_number, NOTE_A, FOLLOW_UP_A, MESSAGE_A["from"], MESSAGE_A["text"],
                          world.ids["follow_up_a"]}
        world.secrets |= _personal_values(CASE_A) | _personal_values(CASE_C)
        yield world


# --- the tests --------------------------------------------------------------------------------------------------


def _declared_endpoints(apps: Mapping[str, FastAPI]) -> set[tuple[str, str, str]]:
    """Every operation each app declares (its OpenAPI document: every route is in it, none is hidden)."""
    return {
        (service, method.upper(), path)
        for service, app in apps.items()
        for path, operations in app.openapi()["paths"].items()
        if path not in NOT_IN_THE_MATRIX
        for method in operations
    }


async def test_every_endpoint_is_in_the_matrix(world: World) -> None:
    in_matrix = {(e.service, e.method, e.route) for e in MATRIX}
    assert len(in_matrix) == len(MATRIX), "one entry per endpoint"
    assert _declared_endpoints(world.apps) - in_matrix == set(), "endpoints missing from MATRIX"
    assert in_matrix - _declared_endpoints(world.apps) == set(), "MATRIX names endpoints that do not exist"
    assert {e.kind for e in MATRIX} >= {"read", "act", "subscribe", "export"}
    for entry in MATRIX:
        assert entry.allowed | entry.filtered <= EVERYONE
        assert not entry.allowed & entry.filtered


# The world id each path parameter takes, unless an entry says otherwise.
PATH_IDS = {"case_id": "case_a", "referral_id": "referral_a", "subscription_id": "subscription_a",
            "draft_id": "draft_a", "agency_id": "agency", "delivery_id": "delivery_a", "follow_up_id": "follow_up_a"}


def _url(entry: Entry, ids: Mapping[str, str]) -> str:
    return entry.route.format(gateway=GATEWAY, **{param: ids[name] for param, name in {**PATH_IDS, **entry.at}.items()})


async def _call(world: World, entry: Entry, name: str, bearer: Callable[..., dict[str, str]]) -> httpx.Response:
    """``entry``'s request as ``name`` makes it: their token, and the gateway's signature if the entry is signed."""
    body = entry.body(name) if callable(entry.body) else entry.body
    headers = world.headers(name, bearer)
    content = None if body is None else body.encode() if isinstance(body, str) else json.dumps(body).encode()
    if content is not None:
        headers = {**headers, "content-type": entry.media_type}
    if entry.signed:
        headers[SIGNATURE_HEADER] = sign(GATEWAY_SECRET, content or b"")
    return await world.clients[entry.service].request(entry.method, _url(entry, world.ids), params=dict(entry.params),
                                                      content=content, headers=headers)


@pytest.mark.parametrize("entry", MATRIX, ids=lambda e: f"{e.service} {e.method} {e.route}")
async def test_each_principal_gets_exactly_what_the_matrix_allows(
    world: World, entry: Entry, bearer: Callable[..., dict[str, str]]
) -> None:
    # The refused first, so an action they could have taken would show in the first allowed answer.
    order = sorted(PRINCIPALS, key=lambda name: (name in entry.allowed, name))
    first_allowed = True
    for name in order:
        response = await _call(world, entry, name, bearer)
        where = f"{name}: {entry.method} {entry.route} -> {response.status_code} {response.text[:200]}"
        if name in entry.allowed:
            ok = response.is_success or (entry.kind == "act" and not first_allowed and response.status_code == 409)
            assert ok, where
            first_allowed = False
            if entry.shows and response.is_success:
                assert world.ids[entry.shows] in response.text, where
        elif name in entry.filtered:
            assert response.is_success, where
            assert not [s for s in world.secrets if s in response.text], where
        else:
            expected = {401} if name == "public" else {403, 404}
            assert response.status_code in expected, where
            assert not [s for s in world.secrets if s in response.text], where


async def test_the_gateway_webhook_takes_nothing_without_its_signature(
    world: World, bearer: Callable[..., dict[str, str]]
) -> None:
    """A token is no signature: unsigned, wrongly signed, altered or replayed messages are refused for everyone
    and leave no draft; a gateway intake does not know is not found."""
    message = {"message_id": "matrix-wa-unsigned", "from": "6281100007777", "text": "Pesan matriks tanpa tanda."}
    content = json.dumps(message).encode()
    signatures = {
        "none": None,
        "wrong secret": sign("not-the-gateway-secret-0123456789", content),
        "altered body": sign(GATEWAY_SECRET, content.replace(b"tanpa", b"dengan")),
        "replayed": sign(GATEWAY_SECRET, content, timestamp=1_700_000_000),
    }
    intake = world.clients["intake"]
    for name in PRINCIPALS:
        for what, signature in signatures.items():
            headers = {**world.headers(name, bearer), "content-type": "application/json"}
            if signature is not None:
                headers[SIGNATURE_HEADER] = signature
            response = await intake.post(f"/v1/inbound/{GATEWAY}", content=content, headers=headers)
            assert response.status_code == 401, f"{name}, {what}: {response.status_code} {response.text[:200]}"
        unknown = await intake.post("/v1/inbound/telegram", content=content, headers={
            **world.headers(name, bearer), "content-type": "application/json",
            SIGNATURE_HEADER: sign(GATEWAY_SECRET, content)})
        assert unknown.status_code == 404, f"{name}: {unknown.status_code}"
    drafts = await intake.get("/v1/drafts", params={"limit": "200"}, headers=world.headers("operator-a", bearer))
    assert drafts.status_code == 200
    assert message["text"] not in drafts.text


@pytest.mark.parametrize("check", DATABASE_MATRIX, ids=lambda c: f"{c.service}: {c.question}")
async def test_row_level_security_alone_gives_the_same_answers(world: World, check: DatabaseCheck) -> None:
    runtime = world.apps[check.service].state.runtime
    async with runtime.unit_of_work(SERVICE_CONTEXT) as uow:  # the rows are there: no check passes on nothing
        assert await uow.session.scalar(text(check.sql), world.ids), f"the service sees no {check.question}"
    seen_by = set()
    for name, principal in PRINCIPALS.items():
        context = AccessContext.of(principal or _principal("anonymous", Role.PUBLIC))
        async with runtime.unit_of_work(context) as uow:
            if await uow.session.scalar(text(check.sql), world.ids):
                seen_by.add(name)
    assert seen_by == set(check.sees)


@pytest.mark.parametrize(("service", "what", "statement", "allowed"), DATABASE_WRITES,
                         ids=[f"{w[0]}: {w[1]}" for w in DATABASE_WRITES])
async def test_row_level_security_refuses_writes_beyond_the_rules(
    world: World, service: str, what: str, statement: str, allowed: frozenset[str]
) -> None:
    runtime = world.apps[service].state.runtime
    wrote: set[str] = set()
    refusals: list[tuple[str, str]] = []
    for name, principal in PRINCIPALS.items():
        context = AccessContext.of(principal or _principal("anonymous", Role.PUBLIC))
        async with runtime.unit_of_work(context) as uow:  # never committed: rolled back on leaving
            try:
                result = await uow.session.execute(text(statement), world.ids)
            except exc.DBAPIError as error:
                refusals.append((name, str(error.orig)))
                continue
            if result.rowcount:
                wrote.add(name)
    assert all("row-level security" in reason for _, reason in refusals), refusals
    assert wrote == set(allowed), what


async def test_the_lead_agency_sees_every_personal_field_and_supervisors_none(
    world: World, bearer: Callable[..., dict[str, str]]
) -> None:
    case_url = f"/v1/cases/{world.ids['case_a']}"
    note = f"notes.{world.ids['update_a']}"
    for name in CASE_A_VIEWERS:
        response = await world.clients["intake"].get(case_url, headers=world.headers(name, bearer))
        assert response.status_code == 200, name
        case = response.json()
        personal = case["personal"]
        if name in LEAD_AGENCY_PEOPLE | {"operator-a"}:
            assert {path for path in personal if not path.startswith("notes.")} == PERSONAL_PATHS, name
            assert personal["victims.0.name"] == CASE_A["victims"][0]["name"]
            assert personal["reporter.phone"] == CASE_A["reporter"]["phone"]
            assert personal.get(note) == NOTE_A, f"{name}: operator-a's note on case A"
        else:
            assert personal == {}, name
            assert not [s for s in _personal_values(CASE_A) | {NOTE_A} if s in response.text], name
        # Everyone who sees case A sees its facts, its triage and its link to case C, none of them personal.
        assert case["record"]["victims"] == [{"sex": "perempuan", "age": 12, "has_disability": None,
                                              "education": "tidak_diketahui", "nationality": "wni"}], name
        assert "address" not in case["record"]["location"], name
        assert case["priority"] == "P1", name
        assert "child_sexual_violence" in case["triage_reasons"], name
        assert [link["case_id"] for link in case["links"]] == [world.ids["case_c"]], name


# Who sees exact statistics of province 62 (a district supervisor: of their own regency); the rest see the
# public aggregates, whatever their role.
EXACT_STATISTICS = REGION_OF_A | {"district-62.01"}


@pytest.mark.parametrize("path", ["/v1/stats/cases", "/v1/stats/referrals"])
async def test_exact_statistics_only_for_who_supervises_the_region(
    world: World, bearer: Callable[..., dict[str, str]], path: str
) -> None:
    for name in PRINCIPALS:
        response = await world.clients["reporting"].get(
            path, params={"province": "62", "group_by": "regency"}, headers=world.headers(name, bearer)
        )
        assert response.status_code == 200, (name, response.text)
        assert response.json()["exact"] is (name in EXACT_STATISTICS), name


async def test_reads_are_audited_by_kind_of_personal_field(
    world: World, bearer: Callable[..., dict[str, str]]
) -> None:
    notes = await world.clients["intake"].get(f"/v1/cases/{world.ids['case_a']}/notes",
                                              headers=world.headers("staff-62.13", bearer))
    assert notes.status_code == 200, notes.text

    async def with_the_notes_read() -> list[dict[str, Any]] | None:
        trail = await world.clients["reporting"].get(f"/v1/audit/cases/{world.ids['case_a']}/reads",
                                                     headers=world.headers("auditor-62", bearer))
        assert trail.status_code == 200, trail.text
        reads: list[dict[str, Any]] = trail.json()
        return reads if any(read["endpoint"].endswith("/notes") for read in reads) else None

    reads = await _eventually(with_the_notes_read, "reporting records the read of case A's notes")
    assert all(set(read["fields"]) <= PERSONAL_KINDS for read in reads), reads
    def kinds_read(endpoint: str) -> set[frozenset[str]]:
        return {frozenset(read["fields"]) for read in reads
                if read["actor_user_id"] == "staff-62.13" and read["endpoint"] == endpoint}

    assert kinds_read("GET /v1/cases/{case_id}") == {PERSONAL_KINDS}
    # The notes with their authors show the notes' text alone: a read of the narrative only.
    assert kinds_read("GET /v1/cases/{case_id}/notes") == {frozenset({"narrative"})}
    assert {read["endpoint"] for read in reads if read["actor_user_id"] == "staff-62.13"} == {
        "GET /v1/cases/{case_id}", "GET /v1/cases/{case_id}/notes"}
