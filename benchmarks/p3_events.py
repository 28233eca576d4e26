"""P3's load: the history of many cases on every topic, as the platform would have written it. Each case is
reported, read, sometimes corrected, referred to one to three agencies (each referral told to its agency, then
accepted or declined, started, completed, or missing a deadline) and often closed: every kind of event the read
models are built from, and the ones they are not (reads, deliveries), in about the proportions a year of
cases would leave."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import UUID

from shared.contracts import (
    CaseClosed,
    CaseReported,
    CaseUpdated,
    Event,
    PersonalDataRead,
    ReferralAccepted,
    ReferralCompleted,
    ReferralCreated,
    ReferralDeclined,
    ReferralServiceStarted,
    ReferralSlaBreached,
    WebhookDelivered,
)
from shared.contracts.examples import example_case_reported
from shared.contracts.intake import Consent, PerpetratorFacts, VictimFacts
from shared.contracts.vocabulary import (
    CASE_MANAGERS,
    AgeGroup,
    AgencyType,
    Channel,
    ConsentGiver,
    Need,
    PlaceCategory,
    Relationship,
    Sex,
    ViolenceType,
)
from sinergi_local.seed import SAMPLE_REGENCIES

FIRST_DAY = datetime(2025, 1, 1, tzinfo=UTC)
# Who a case is referred to besides its case manager (the UPTD PPA of its regency).
OTHER_AGENCIES = ("police_ppa", "health", "dinas_sosial", "legal_aid")


def _uuid(rng: random.Random) -> UUID:
    return UUID(int=rng.getrandbits(128), version=4)


def reported_case(rng: random.Random, number: int) -> CaseReported:
    """A made-up ``case.reported`` of one of the sample regencies (the ones the demo directory serves). Most
    victims name needs and consent to every kind of agency, so routing refers most cases to more than the case
    manager; the rest are reports not yet asked about (the case manager only)."""
    regency = rng.choice(SAMPLE_REGENCIES)
    reported_at = FIRST_DAY + timedelta(minutes=rng.randint(0, 365 * 24 * 60))
    victims = tuple(
        VictimFacts(sex=rng.choice(tuple(Sex)), age_group=rng.choice(tuple(AgeGroup)))
        for _ in range(rng.choice((1, 1, 1, 2)))
    )
    perpetrators = tuple(
        PerpetratorFacts(sex=Sex.LAKI_LAKI, relationship=rng.choice(tuple(Relationship)))
        for _ in range(rng.choice((0, 1, 1, 2)))
    )
    consent = (
        Consent(given_by=ConsentGiver.KORBAN, agency_types=tuple(AgencyType)) if rng.random() < 0.7
        else Consent(given_by=ConsentGiver.BELUM_DITANYAKAN, agency_types=tuple(sorted(CASE_MANAGERS)))
    )
    return example_case_reported(
        case_id=_uuid(rng), case_number=f"{regency.replace('.', '')}-2025-{number:05d}", regency_code=regency,
        violence_types=tuple(sorted(set(rng.sample(tuple(ViolenceType), rng.choice((1, 1, 2)))))),
        place=rng.choice(tuple(PlaceCategory)), channel=rng.choice(tuple(Channel)), victims=victims,
        perpetrators=perpetrators, needs=tuple(sorted(set(rng.sample(tuple(Need), rng.choice((0, 1, 2)))))),
        consent=consent, reported_at=reported_at, occurred_at=reported_at,
    )


def case_history(rng: random.Random, number: int) -> list[Event]:
    """Every event of one case, in the order they happened (about ten)."""
    case = reported_case(rng, number)
    regency, reported_at = case.regency_code, case.reported_at
    events: list[Event] = [case]
    at = reported_at
    ids = {"case_id": case.case_id}
    events.append(PersonalDataRead(
        **ids, actor_user_id="operator-1", actor_agency_id=None, actor_roles=("operator",), fields=("narrative",),
        endpoint="GET /v1/cases/{case_id}", occurred_at=at + timedelta(minutes=5),
    ))
    if rng.random() < 0.25:
        stated = case.model_dump(exclude={"event_id", "event_type", "schema_version", "occurred_at", "producer"})
        events.append(CaseUpdated(
            **{**stated, "place": rng.choice(tuple(PlaceCategory))}, occurred_at=at + timedelta(hours=3),
            update_id=_uuid(rng), kind="corrected", changed_fields=("place",), updated_by="operator-1",
        ))
    agencies = [("uptd_ppa", True), *((kind, False) for kind in rng.sample(OTHER_AGENCIES, rng.choice((0, 1, 2))))]
    for agency in agencies:
        events += _referral_history(rng, case.case_id, regency, agency, at)
    if rng.random() < 0.3:
        events.append(CaseClosed(
            **ids, case_number=case.case_number, province_code=case.province_code, regency_code=regency,
            reason=rng.choice(("handled", "handled", "withdrawn", "unreachable")), closed_by="operator-1",
            occurred_at=at + timedelta(days=rng.randint(5, 60)),
        ))
    return events


def _referral_history(
    rng: random.Random, case_id: UUID, regency: str, agency: tuple[str, bool], at: datetime
) -> list[Event]:
    agency_type, is_lead = agency
    agency_id = f"{agency_type.replace('_', '-')}-{regency}"
    created = ReferralCreated(
        case_id=case_id, referral_id=_uuid(rng), agency_id=agency_id, agency_type=agency_type, is_lead=is_lead,
        province_code=regency[:2], regency_code=regency, rule="bench", reason="bench", occurred_at=at,
        accept_by=at + timedelta(hours=24), first_service_by=at + timedelta(days=3),
    )
    ids = {"case_id": case_id, "referral_id": created.referral_id, "agency_id": agency_id}
    events: list[Event] = [created, WebhookDelivered(
        case_id=case_id, subscription_id=_uuid(rng), agency_id=agency_id, delivered_event_id=created.event_id,
        delivered_event_type=created.event_type, attempts=1, occurred_at=at + timedelta(seconds=2),
    )]
    if rng.random() < 0.1:
        events.append(ReferralDeclined(**ids, actor="staff", reason="outside our remit",
                                       occurred_at=at + timedelta(hours=2)))
        return events
    if rng.random() < 0.15:
        events.append(ReferralSlaBreached(**ids, deadline="accept", due_at=at + timedelta(hours=24),
                                          escalated_to=None, occurred_at=at + timedelta(hours=24)))
    events.append(ReferralAccepted(**ids, accepted_by="staff", occurred_at=at + timedelta(hours=rng.randint(1, 30))))
    if rng.random() < 0.8:
        events.append(ReferralServiceStarted(**ids, actor="staff", occurred_at=at + timedelta(days=2)))
        if rng.random() < 0.6:
            events.append(ReferralCompleted(**ids, actor="staff", services_given=(Need.PENGADUAN,),
                                            occurred_at=at + timedelta(days=20)))
    return events


def histories(cases: int, *, seed: int = 2025) -> Iterator[Event]:
    rng = random.Random(seed)  # noqa: S311 - made-up cases, the same ones every run
    for number in range(1, cases + 1):
        yield from case_history(rng, number)
