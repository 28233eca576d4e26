"""The chaos suite's reports, and what each should become, worked out from the services' own pure domains with
no I/O and no fault: intake's record and triage give the ``case.reported`` facts, routing's rules and the demo
directory give the referrals, and SIMFONI counting gives the statistics."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any
from uuid import uuid4

from intake.domain.model import Case
from intake.domain.record import Report
from routing.directory_data import demo_directory
from routing.domain.agencies import Agency
from routing.domain.cases import CaseToRoute
from routing.domain.rules import route
from routing.entrypoints.api import AgencyIn
from routing.rules_data import packaged_rules
from shared.contracts.vocabulary import Channel

# Every path of the lead-agency ladder: a regency UPTD PPA (62.13, 62.71, 63.71, 63.72, 64.74), an inactive one
# (64.01 Paser: the regency Dinas), a regency the directory lacks (62.01, 63.03, 64.72: the province), and a
# province it lacks (31.71 Jakarta Pusat: the national fallback).
REGENCIES = ("62.13", "62.71", "63.71", "63.72", "64.74", "64.01", "62.01", "63.03", "64.72", "31.71")
VIOLENCE_TYPES = ("fisik", "psikis", "seksual", "eksploitasi", "perdagangan_orang", "penelantaran", "lainnya")
NEEDS = ("pengaduan", "kesehatan", "bantuan_hukum", "penegakan_hukum", "rehabilitasi_sosial", "pemulangan",
         "penampungan_sementara")
CONSENTABLE = ("police_ppa", "health", "legal_aid", "dinas_sosial", "dinas_pendidikan")
STAFF_CHANNELS = ("hotline", "walk_in", "police", "school", "health", "community")
PLACES = ("rumah_tangga", "fasilitas_umum", "sekolah", "tempat_kerja", "daring", "lainnya")

Referral = tuple[str, str, bool]  # (agency_id, rule, is_lead)


@dataclass(frozen=True)
class ChaosReport:
    """One report and its client-side identity: ``operator`` is the user id of the operator who records it, one
    per report, so "was this report accepted?" has an exact answer (their case list) when an answer is lost."""

    number: int
    operator: str
    body: dict[str, Any]

    @property
    def province(self) -> str:
        return str(self.body["location"]["province_code"])

    @property
    def regency(self) -> str:
        return str(self.body["location"]["regency_code"])

    @property
    def violence_types(self) -> tuple[str, ...]:
        return tuple(self.body["violence_types"])


def make_reports(count: int, *, seed: int, run_id: str) -> list[ChaosReport]:
    """``count`` varied reports, the same for the same seed. Anonymous, with no name, address or village, so
    no two look like the same incident (intake would link them, which is not under test here)."""
    rng = random.Random(seed)  # noqa: S311 - test data, not security
    return [_report(rng, number, run_id) for number in range(1, count + 1)]


def _report(rng: random.Random, number: int, run_id: str) -> ChaosReport:
    regency = rng.choice(REGENCIES)
    ages = [rng.choice((4, 9, 15, 16, 24, 37, 52)) for _ in range(rng.choice((1, 1, 1, 2)))]
    victims = [{"sex": rng.choice(("perempuan", "perempuan", "laki_laki")), "age": age} for age in ages]
    child = any(age < 18 for age in ages)
    body: dict[str, Any] = {
        "incident": {"precision": "unknown"},
        "location": {"province_code": regency[:2], "regency_code": regency, "place": rng.choice(PLACES)},
        "violence_types": sorted(rng.sample(VIOLENCE_TYPES, rng.choice((1, 1, 2)))),
        "injuries": rng.random() < 0.2,
        "ongoing_danger": rng.random() < 0.1,
        "victims": victims,
        "needs": sorted(rng.sample(NEEDS, rng.randint(0, 3))),
        "consent": {"given_by": "wali" if child else "korban",
                    "agency_types": sorted(rng.sample(CONSENTABLE, rng.randint(0, len(CONSENTABLE))))},
        "reporter": {"anonymous": True, "relation": rng.choice(("keluarga", "tetangga", "guru_sekolah"))},
        "narrative": f"Laporan uji chaos {number} (data uji, bukan kasus nyata).",
        "channel": rng.choice(STAFF_CHANNELS),
    }
    return ChaosReport(number, f"chaos-{run_id}-{number}", body)


@cache
def _directory() -> tuple[Agency, ...]:
    return tuple(AgencyIn.model_validate(entry).to_domain() for entry in demo_directory())


def expected_referrals(report: ChaosReport) -> frozenset[Referral]:
    """The referrals routing should make for ``report``: intake's facts of it (the ``case.reported`` event it
    raises), routed by the packaged rules over the demo directory."""
    parsed = Report.model_validate(report.body)
    channel = Channel(report.body["channel"])
    case = Case(uuid4(), "0000-0000-00000", parsed.model_copy(update={"channel": channel}), channel,
                datetime.now(UTC), report.operator)
    decisions = route(CaseToRoute.from_event(case.reported_event()), _directory(), packaged_rules())
    return frozenset((decision.agency.agency_id, decision.rule, decision.is_lead) for decision in decisions)


def expected_case_counts(reports: Iterable[ChaosReport]) -> dict[str, Counter[tuple[str, str]]]:
    """By province: cases by (regency, violence type), counted the SIMFONI way (a case with two violence types
    once under each), and ``("", "")`` for the total of cases (each once)."""
    counts: dict[str, Counter[tuple[str, str]]] = {}
    for report in reports:
        counter = counts.setdefault(report.province, Counter())
        counter["", ""] += 1
        for violence_type in report.violence_types:
            counter[report.regency, violence_type] += 1
    return counts


def provinces(reports: Sequence[ChaosReport]) -> list[str]:
    return sorted({report.province for report in reports})
