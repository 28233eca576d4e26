"""P6's fixture: a year of referrals in routing's table, made by routing's own code (the packaged rules over the demo
directory, ``Referral.create`` with the default SLA, the domain's moves for what happened since) and copied in with
COPY, since routing's consumer would take minutes to route tens of thousands of reports.

Cases come from the regencies of the demo directory's three provinces, with Barito Timur (62.13, where the demo
users work) given a larger share: its UPTD PPA then holds several thousand referrals and its district supervisor
over ten thousand. What follows a referral depends on its age: recent ones wait, are accepted or in service
(some past their deadline), older ones are mostly completed.

Routing also keeps a copy of each case (``routing.cases``) and the SLA timers of each referral; the list reads
neither, so neither is loaded (unfired timers would have routing raise thousands of breaches during the
measurement).
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

import asyncpg

from intake.domain.model import case_number
from routing.directory_data import demo_directory
from routing.domain.agencies import Agency
from routing.domain.cases import CaseToRoute
from routing.domain.referrals import Referral
from routing.domain.rules import ReferralDecision, route
from routing.domain.sla import DEFAULT_POLICY
from routing.entrypoints.directory_models import AgencyIn
from routing.rules_data import packaged_rules
from shared.contracts.vocabulary import CASE_MANAGERS, AgencyType, Need, Priority, ViolenceType
from shared.regions import load_regions

PROVINCES = ("62", "63", "64")
HOME_REGENCY = "62.13"  # where the demo users the benchmark signs in as work
HOME_SHARE = 0.12  # of all cases
PRIORITY_WEIGHTS = {Priority.P1: 0.15, Priority.P2: 0.35, Priority.P3: 0.5}
# The columns routing writes (``adapters.referrals.add_referrals``, ``save_referral``, the list's case facts);
# running_deadline is generated.
COLUMNS = ("referral_id", "case_id", "agency_id", "agency_name", "agency_type", "is_lead", "rule", "reason",
           "status", "province_code", "regency_code", "created_at", "rule_set_version", "accept_by",
           "first_service_by", "replaces_referral_id", "round", "status_reason", "services_given", "updated_at",
           "case_number", "priority", "violence_types", "accepted_at", "requested_by")
STAFF = "bench-staff"


@dataclass(frozen=True)
class Loaded:
    referrals: int
    cases: int
    of_agency: dict[str, int]  # referrals of each agency
    of_regency: dict[str, int]  # referrals in each regency


@cache
def _agencies() -> tuple[Agency, ...]:
    return tuple(AgencyIn(**entry).to_domain() for entry in demo_directory())


@cache
def _decisions(case: CaseToRoute) -> tuple[ReferralDecision, ...]:
    """The packaged rules' referrals for a case; the same facts always route the same way (cached by them)."""
    return route(case, _agencies(), packaged_rules())


def _regencies() -> list[str]:
    regions = load_regions()
    return [regency.code for province in PROVINCES for regency in regions.regencies_of(province)]


def _case(rng: random.Random, regency: str) -> CaseToRoute:
    types = rng.sample(list(ViolenceType), k=rng.choice((1, 1, 1, 2, 2, 3)))
    needs = rng.sample([Need.PENGADUAN, Need.KESEHATAN, Need.BANTUAN_HUKUM, Need.PENEGAKAN_HUKUM,
                        Need.REHABILITASI_SOSIAL, Need.PENAMPUNGAN_SEMENTARA], k=rng.choice((1, 2, 3)))
    consent = {AgencyType.POLICE_PPA, AgencyType.HEALTH, AgencyType.DINAS_SOSIAL} if rng.random() < 0.7 else set()
    priority = rng.choices(list(PRIORITY_WEIGHTS), weights=list(PRIORITY_WEIGHTS.values()))[0]
    return CaseToRoute(
        case_id=uuid.UUID(int=0), province_code=regency[:2], regency_code=regency,
        violence_types=tuple(sorted(types)), has_child_victim=rng.random() < 0.55, needs=tuple(sorted(needs)),
        priority=priority, consented=CASE_MANAGERS | frozenset(consent),
    )


def _outcome(rng: random.Random, referral: Referral, now: datetime) -> Referral:
    """What became of ``referral`` by ``now``, by the domain's own moves, at plausible times."""
    age = now - referral.created_at
    if age > timedelta(days=30):
        weights = {"completed": 85, "declined": 5, "revoked": 3, "in_service": 4, "accepted": 2, "created": 1}
    elif age > timedelta(days=3):
        weights = {"completed": 30, "in_service": 35, "accepted": 15, "created": 10, "declined": 5, "revoked": 5}
    else:
        weights = {"created": 40, "accepted": 30, "in_service": 25, "declined": 5}
    fate = rng.choices(list(weights), weights=list(weights.values()))[0]
    step = age / 4

    def at(n: int) -> datetime:
        return referral.created_at + step * n * rng.uniform(0.5, 1.0)

    if fate == "created":
        return referral
    if fate == "declined":
        return referral.decline(by=STAFF, at=at(1), reason="Di luar wilayah layanan kami")[0]
    if fate == "revoked":
        return referral.revoke(by=STAFF, at=at(1), reason="Kasus ditutup")[0]
    referral = referral.accept(by=STAFF, at=at(1))[0]
    if fate == "accepted":
        return referral
    referral = referral.start_service(by=STAFF, at=at(2))[0]
    if fate == "in_service":
        return referral
    return referral.complete(by=STAFF, at=at(3), services=(Need.PENGADUAN,))[0]


def referrals(count: int, now: datetime, seed: int = 22) -> Iterator[tuple[Referral, CaseToRoute]]:
    """``count`` referrals of cases reported over the year before ``now``, each with its case."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible fixture, no secret
    others = [code for code in _regencies() if code != HOME_REGENCY]
    sequence: dict[str, int] = {}
    made = 0
    while made < count:
        regency = HOME_REGENCY if rng.random() < HOME_SHARE else rng.choice(others)
        facts = _case(rng, regency)
        created_at = now - timedelta(seconds=rng.uniform(0, 365 * 24 * 3600))
        sequence[regency] = sequence.get(regency, 0) + 1
        case = CaseToRoute(**{**facts.__dict__, "case_id": uuid.UUID(int=rng.getrandbits(128), version=4),
                              "case_number": case_number(regency, created_at.year, sequence[regency])})
        for decision in _decisions(facts)[: count - made]:
            referral = Referral.create(
                case, decision, referral_id=uuid.UUID(int=rng.getrandbits(128), version=4), created_at=created_at,
                rule_set_version=0, deadlines=DEFAULT_POLICY.deadlines(case.priority))
            yield _outcome(rng, referral, now), case
            made += 1


def record(referral: Referral, case: CaseToRoute) -> tuple[object, ...]:
    return (referral.referral_id, referral.case_id, referral.agency_id, referral.agency_name, referral.agency_type,
            referral.is_lead, referral.rule, referral.reason, referral.status.value, referral.province_code,
            referral.regency_code, referral.created_at, referral.rule_set_version, referral.accept_by,
            referral.first_service_by, referral.replaces_referral_id, referral.round, referral.status_reason,
            [s.value for s in referral.services_given], referral.updated_at, case.case_number,
            case.priority.value, [v.value for v in case.violence_types], referral.accepted_at, referral.requested_by)


async def _copy(dsn: str, records: list[tuple[object, ...]]) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.copy_records_to_table("referrals", schema_name="routing", columns=COLUMNS,
                                               records=records)
        # Fresh statistics, as autovacuum would have after a year of inserts.
        await connection.execute("ANALYZE routing.referrals")
    finally:
        await connection.close()


def load(dsn: str, count: int, now: datetime | None = None) -> Loaded:
    """Copy ``count`` referrals into routing's table through ``dsn`` (a role RLS does not bind: the admin)."""
    records: list[tuple[object, ...]] = []
    cases: set[uuid.UUID] = set()
    of_agency: dict[str, int] = {}
    of_regency: dict[str, int] = {}
    for referral, case in referrals(count, now or datetime.now(UTC)):
        records.append(record(referral, case))
        cases.add(case.case_id)
        of_agency[referral.agency_id] = of_agency.get(referral.agency_id, 0) + 1
        of_regency[referral.regency_code] = of_regency.get(referral.regency_code, 0) + 1
    asyncio.run(_copy(dsn, records))
    return Loaded(len(records), len(cases), of_agency, of_regency)
