"""Need to know: who is told of an event at all, which of the case's facts each audience sees, and what a built
notification carries (and never carries)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from notifications.domain.need_to_know import (
    AGGREGATE_FIELDS,
    ALWAYS_CONSENTED,
    Audience,
    KnownReferral,
    ReferralStatus,
    audience,
    consent_covers,
    referral_of,
    visible_facts,
)
from notifications.domain.notification import DETAIL_FIELDS, Notification, build_notification
from notifications.domain.subscriptions import (
    AGENCY_EVENT_TYPES,
    EVENT_TYPES,
    REGION_EVENT_TYPES,
    Channel,
    Filters,
    Language,
    Scope,
    Subscription,
)
from shared.contracts import (
    CaseClosed,
    CaseLinked,
    CaseServicesCompleted,
    CaseUpdated,
    Event,
    ReferralAccepted,
    ReferralCompleted,
    ReferralCreated,
    ReferralDeclined,
    ReferralRevoked,
    ReferralServiceStarted,
    ReferralSlaBreached,
)
from shared.contracts.examples import example_case_reported
from shared.contracts.intake import CaseFacts, Consent, PerpetratorFacts, VictimFacts
from shared.contracts.visibility import FACT_FIELDS, VISIBLE_FACTS, FactGroup
from shared.contracts.vocabulary import (
    AgeGroup,
    AgencyType,
    ConsentGiver,
    EducationLevel,
    LinkReason,
    Need,
    PlaceCategory,
    Priority,
    Relationship,
    Sex,
    TriageReason,
    ViolenceType,
)

NOW = datetime(2026, 3, 14, 2, 30, tzinfo=UTC)
CASE_ID = UUID("3f0c1b9e-8d7a-4c55-9b1e-2a6f0d4e7c11")
CASE_LINK = f"https://sinergi.example.go.id/kasus/{CASE_ID}"
UPTD = "uptd-ppa-62.13"
POLICE = "polres-kotawaringin-timur"
HEALTH = "rsud-sampit"
FREE_TEXT = "Psikolog kami cuti; hubungi Bu Siti 0812-3456-7890"  # what an agency might type; never sent on
STAFF = "kc-user-7f3e2a"  # a user id: not for subscribers either
ALL_AGENCY_TYPES = tuple(AgencyType)
PERPETRATOR_BLIND = (
    AgencyType.HEALTH, AgencyType.DINAS_SOSIAL, AgencyType.DINAS_PENDIDIKAN, AgencyType.NGO, AgencyType.COMMUNITY,
    AgencyType.KODIM,
)


# -- builders --------------------------------------------------------------------------------------------------


def case_facts(
    *, consent: tuple[AgencyType, ...] = ALL_AGENCY_TYPES, regency_code: str = "62.13", priority: Priority = Priority.P2
) -> CaseFacts:
    """A case with every fact filled in, so that a missing key can only mean a withheld one."""
    reported = example_case_reported(
        case_id=CASE_ID, regency_code=regency_code, priority=priority,
        violence_types=(ViolenceType.FISIK, ViolenceType.SEKSUAL), child_in_conflict_with_law=False,
        place=PlaceCategory.RUMAH_TANGGA, incident_date=date(2026, 3, 12), incident_date_precision="day",
        victims=(VictimFacts(sex=Sex.PEREMPUAN, age_group=AgeGroup.AGE_13_17, has_disability=False,
                             education=EducationLevel.SLTP),),
        perpetrators=(PerpetratorFacts(sex=Sex.LAKI_LAKI, age_group=AgeGroup.AGE_45_59,
                                       relationship=Relationship.KELUARGA_SAUDARA),),
        needs=(Need.KESEHATAN, Need.PENEGAKAN_HUKUM, Need.PENAMPUNGAN_SEMENTARA),
        consent=Consent(given_by=ConsentGiver.WALI, agency_types=consent),
        triage_reasons=(TriageReason.CHILD_SEXUAL_VIOLENCE, TriageReason.CHILD_VICTIM),
        reported_at=NOW,
    )
    return CaseFacts.model_validate(reported.model_dump())


FACTS = case_facts()


NO_FILTERS = Filters()


def subscription(
    agency_id: str | None = UPTD,
    *,
    scope: Scope = Scope.AGENCY,
    region_code: str | None = None,
    event_types: tuple[str, ...] | None = None,
    filters: Filters = NO_FILTERS,
    paused: bool = False,
    language: Language = Language.INDONESIAN,
) -> Subscription:
    if event_types is None:
        event_types = REGION_EVENT_TYPES if scope is Scope.REGION else AGENCY_EVENT_TYPES
    return Subscription(
        subscription_id=uuid4(), scope=scope, agency_id=agency_id if scope is Scope.AGENCY else None,
        region_code=region_code, event_types=event_types, channel=Channel.WEBHOOK,
        target="https://ppa.example/hooks/sinergi", language=language, filters=filters, paused=paused,
        created_at=NOW, updated_at=NOW,
    )


def region_subscription(region_code: str = "62.13", **kwargs: Any) -> Subscription:
    return subscription(None, scope=Scope.REGION, region_code=region_code, **kwargs)


def known(
    agency_id: str = UPTD,
    agency_type: AgencyType | str = AgencyType.UPTD_PPA,
    status: ReferralStatus = ReferralStatus.ACCEPTED,
    *,
    is_lead: bool | None = None,
) -> KnownReferral:
    lead = agency_type == AgencyType.UPTD_PPA if is_lead is None else is_lead
    return KnownReferral(
        referral_id=uuid4(), case_id=CASE_ID, agency_id=agency_id, agency_type=str(agency_type), is_lead=lead,
        status=status, accept_by=NOW + timedelta(hours=4), first_service_by=NOW + timedelta(days=1),
    )


def case_updated(facts: CaseFacts = FACTS, changed: tuple[str, ...] = ("needs",)) -> CaseUpdated:
    return CaseUpdated(
        case_id=CASE_ID, **facts.model_dump(), update_id=uuid4(), kind="information_added", changed_fields=changed,
        updated_by=STAFF,
    )


def case_closed() -> CaseClosed:
    return CaseClosed(
        case_id=CASE_ID, case_number=FACTS.case_number, province_code="62", regency_code="62.13", reason="handled",
        closed_by=STAFF,
    )


def case_linked() -> CaseLinked:
    return CaseLinked(
        case_id=CASE_ID, linked_case_id=uuid4(), case_number=FACTS.case_number, linked_case_number="6213-2026-00002",
        reasons=(LinkReason.SAME_VICTIM,),
    )


def case_services_completed() -> CaseServicesCompleted:
    return CaseServicesCompleted(case_id=CASE_ID, services_given=(Need.KESEHATAN,), referral_count=2)


CASE_EVENTS: dict[str, Callable[[], Event]] = {
    "case.updated": case_updated,
    "case.closed": case_closed,
    "case.linked": case_linked,
    "case.services_completed": case_services_completed,
}


def referral_created(referral: KnownReferral) -> ReferralCreated:
    return ReferralCreated(
        case_id=CASE_ID, referral_id=referral.referral_id, agency_id=referral.agency_id,
        agency_type=referral.agency_type, is_lead=referral.is_lead, province_code="62", regency_code="62.13",
        rule="needs_penegakan_hukum", reason=FREE_TEXT, accept_by=referral.accept_by,
        first_service_by=referral.first_service_by, replaces_referral_id=uuid4(),
    )


def referral_accepted(referral: KnownReferral) -> ReferralAccepted:
    return ReferralAccepted(
        case_id=CASE_ID, referral_id=referral.referral_id, agency_id=referral.agency_id, accepted_by=STAFF
    )


def referral_declined(referral: KnownReferral) -> ReferralDeclined:
    return ReferralDeclined(
        case_id=CASE_ID, referral_id=referral.referral_id, agency_id=referral.agency_id, actor=STAFF, reason=FREE_TEXT
    )


def referral_service_started(referral: KnownReferral) -> ReferralServiceStarted:
    return ReferralServiceStarted(
        case_id=CASE_ID, referral_id=referral.referral_id, agency_id=referral.agency_id, actor=STAFF
    )


def referral_completed(referral: KnownReferral) -> ReferralCompleted:
    return ReferralCompleted(
        case_id=CASE_ID, referral_id=referral.referral_id, agency_id=referral.agency_id, actor=STAFF,
        services_given=(Need.PENEGAKAN_HUKUM,),
    )


def referral_revoked(referral: KnownReferral) -> ReferralRevoked:
    return ReferralRevoked(
        case_id=CASE_ID, referral_id=referral.referral_id, agency_id=referral.agency_id, actor=STAFF, reason=FREE_TEXT
    )


def referral_sla_breached(referral: KnownReferral) -> ReferralSlaBreached:
    return ReferralSlaBreached(
        case_id=CASE_ID, referral_id=referral.referral_id, agency_id=referral.agency_id, deadline="accept",
        due_at=NOW + timedelta(hours=4), escalated_to="dinas-ppa-62.13",
    )


REFERRAL_EVENTS: dict[str, Callable[[KnownReferral], Event]] = {
    "referral.created": referral_created,
    "referral.accepted": referral_accepted,
    "referral.declined": referral_declined,
    "referral.service_started": referral_service_started,
    "referral.completed": referral_completed,
    "referral.revoked": referral_revoked,
    "referral.sla_breached": referral_sla_breached,
}


def every_event(referral: KnownReferral) -> dict[str, Event]:
    events = {name: make() for name, make in CASE_EVENTS.items()}
    events.update({name: make(referral) for name, make in REFERRAL_EVENTS.items()})
    events["case.reported"] = example_case_reported(case_id=CASE_ID, **FACTS.model_dump())
    return events


def test_the_builders_cover_every_event_type() -> None:
    assert set(every_event(known())) == set(REGION_EVENT_TYPES)
    assert all(event.event_type == name for name, event in every_event(known()).items())


# -- who is told: agencies -------------------------------------------------------------------------------------


@pytest.mark.parametrize("event_type", sorted(CASE_EVENTS))
def test_no_referral_no_audience(event_type: str) -> None:
    assert audience(subscription(UPTD), CASE_EVENTS[event_type](), FACTS, []) is None


@pytest.mark.parametrize("event_type", sorted(CASE_EVENTS))
def test_a_case_referred_only_to_another_agency_is_not_told(event_type: str) -> None:
    others = [known(POLICE, AgencyType.POLICE_PPA), known(HEALTH, AgencyType.HEALTH)]
    event = CASE_EVENTS[event_type]()
    assert audience(subscription(UPTD), event, FACTS, others) is None
    told = audience(subscription(POLICE), event, FACTS, others)
    assert told is not None
    assert told.referral == others[0]


@pytest.mark.parametrize("event_type", sorted(CASE_EVENTS))
@pytest.mark.parametrize("status", [status for status in ReferralStatus if status.live])
def test_a_live_referral_hears_of_the_case(event_type: str, status: ReferralStatus) -> None:
    mine = known(POLICE, AgencyType.POLICE_PPA, status)
    told = audience(subscription(POLICE), CASE_EVENTS[event_type](), FACTS, [known(), mine])
    assert told == Audience(Scope.AGENCY, mine)


@pytest.mark.parametrize("event_type", sorted(REFERRAL_EVENTS))
def test_a_referral_event_reaches_only_the_agency_of_that_referral(event_type: str) -> None:
    """The police hold a live referral of the case too; they still hear nothing of the health referral."""
    lead, police, health = known(), known(POLICE, AgencyType.POLICE_PPA), known(HEALTH, AgencyType.HEALTH)
    referrals = [lead, police, health]
    event = REFERRAL_EVENTS[event_type](health)
    assert audience(subscription(UPTD), event, FACTS, referrals) is None  # not even the case manager
    assert audience(subscription(POLICE), event, FACTS, referrals) is None
    assert audience(subscription(HEALTH), event, FACTS, referrals) == Audience(Scope.AGENCY, health)


@pytest.mark.parametrize("event_type", sorted(REFERRAL_EVENTS))
def test_a_referral_event_about_a_referral_not_known_reaches_no_agency(event_type: str) -> None:
    mine = known(POLICE, AgencyType.POLICE_PPA)
    stranger = known(POLICE, AgencyType.POLICE_PPA)  # same agency, but a referral the view does not hold
    assert audience(subscription(POLICE), REFERRAL_EVENTS[event_type](stranger), FACTS, [mine]) is None


def test_an_agency_with_two_referrals_of_a_case_is_told_as_the_right_one() -> None:
    declined = known(POLICE, AgencyType.POLICE_PPA, ReferralStatus.DECLINED)
    again = known(POLICE, AgencyType.POLICE_PPA, ReferralStatus.CREATED)
    referrals = [declined, again]
    mine = subscription(POLICE)
    assert audience(mine, referral_declined(declined), FACTS, referrals) == Audience(Scope.AGENCY, declined)
    assert audience(mine, referral_created(again), FACTS, referrals) == Audience(Scope.AGENCY, again)
    assert audience(mine, case_updated(), FACTS, referrals) == Audience(Scope.AGENCY, again)  # the live one


@pytest.mark.parametrize("status", [ReferralStatus.DECLINED, ReferralStatus.REVOKED])
@pytest.mark.parametrize("event_type", sorted(CASE_EVENTS))
def test_a_declined_or_revoked_referral_no_longer_hears_of_the_case(event_type: str, status: ReferralStatus) -> None:
    ended = known(POLICE, AgencyType.POLICE_PPA, status)
    assert not status.live
    assert audience(subscription(POLICE), CASE_EVENTS[event_type](), FACTS, [known(), ended]) is None


@pytest.mark.parametrize(
    ("status", "make"), [(ReferralStatus.DECLINED, referral_declined), (ReferralStatus.REVOKED, referral_revoked)]
)
def test_a_declined_or_revoked_referral_hears_of_its_own_ending(
    status: ReferralStatus, make: Callable[[KnownReferral], Event]
) -> None:
    ended = known(POLICE, AgencyType.POLICE_PPA, status)
    told = audience(subscription(POLICE), make(ended), FACTS, [known(), ended])
    assert told is not None
    assert told == Audience(Scope.AGENCY, ended)
    assert told.referral is not None
    assert told.referral.status is status


def test_only_declined_and_revoked_are_not_live() -> None:
    assert {status for status in ReferralStatus if not status.live} == {ReferralStatus.DECLINED, ReferralStatus.REVOKED}


# -- consent ---------------------------------------------------------------------------------------------------


def test_consent_narrowed_by_an_update_cuts_the_police_off_but_not_the_case_manager() -> None:
    lead, police = known(), known(POLICE, AgencyType.POLICE_PPA)
    referrals = [lead, police]
    before = case_facts(consent=(AgencyType.UPTD_PPA, AgencyType.POLICE_PPA))
    assert audience(subscription(POLICE), case_updated(before), before, referrals) == Audience(Scope.AGENCY, police)

    after = case_facts(consent=(AgencyType.UPTD_PPA, AgencyType.HEALTH))
    update = case_updated(after, changed=("consent",))
    assert audience(subscription(POLICE), update, after, referrals) is None
    for make in REFERRAL_EVENTS.values():  # nor of its own referral while consent does not cover it
        assert audience(subscription(POLICE), make(police), after, referrals) is None
    assert audience(subscription(UPTD), update, after, referrals) == Audience(Scope.AGENCY, lead)


@pytest.mark.parametrize("agency_type", sorted(ALWAYS_CONSENTED))
def test_case_managers_and_the_national_hotline_are_told_whatever_consent_says(agency_type: AgencyType) -> None:
    holder = known("holder", agency_type)
    facts = case_facts(consent=())
    assert consent_covers(facts, agency_type.value)
    assert audience(subscription("holder"), case_updated(facts), facts, [holder]) == Audience(Scope.AGENCY, holder)


@pytest.mark.parametrize("agency_type", sorted(set(AgencyType) - ALWAYS_CONSENTED))
def test_other_agencies_are_told_only_with_consent(agency_type: AgencyType) -> None:
    holder = known("holder", agency_type)
    without = case_facts(consent=(AgencyType.UPTD_PPA,))
    with_it = case_facts(consent=(AgencyType.UPTD_PPA, agency_type))
    assert not consent_covers(without, agency_type.value)
    assert consent_covers(with_it, agency_type.value)
    assert audience(subscription("holder"), case_updated(without), without, [holder]) is None
    assert audience(subscription("holder"), case_updated(with_it), with_it, [holder]) == Audience(Scope.AGENCY, holder)


@pytest.mark.parametrize("agency_type", ["", "POLICE_PPA", "kejaksaan", "police"])
def test_an_unknown_agency_type_is_never_covered(agency_type: str) -> None:
    holder = known("holder", agency_type)
    assert not consent_covers(FACTS, agency_type)
    assert audience(subscription("holder"), case_updated(), FACTS, [holder]) is None


# -- who is told: regions, filters, event types, pausing -------------------------------------------------------


@pytest.mark.parametrize("event_type", REGION_EVENT_TYPES)
def test_a_region_subscription_hears_of_every_case_of_the_region(event_type: str) -> None:
    event = every_event(known(POLICE, AgencyType.POLICE_PPA))[event_type]
    facts = case_facts(consent=())  # consent concerns agencies, not the aggregate view
    for region_code in ("62", "62.13"):
        assert audience(region_subscription(region_code), event, facts, []) == Audience(Scope.REGION)
    for region_code in ("63", "62.14"):
        assert audience(region_subscription(region_code), event, facts, []) is None


@pytest.mark.parametrize(
    ("filters", "told"),
    [
        (Filters(), True),
        (Filters(regions=("62",)), True),
        (Filters(regions=("62.13",)), True),
        (Filters(regions=("62.14",)), False),
        (Filters(priorities=(Priority.P2,)), True),
        (Filters(priorities=(Priority.P1,)), False),
        (Filters(priorities=(Priority.P1, Priority.P3)), False),
        (Filters(("62.13",), (Priority.P1, Priority.P2)), True),
        (Filters(("62.14",), (Priority.P2,)), False),
    ],
)
@pytest.mark.parametrize("scope", list(Scope))
def test_filters_narrow_the_audience(filters: Filters, told: bool, scope: Scope) -> None:
    """The case is of regency 62.13 and priority P2."""
    candidate = subscription(UPTD, scope=scope, region_code="62" if scope is Scope.REGION else None, filters=filters)
    assert (audience(candidate, case_updated(), FACTS, [known()]) is not None) is told


@pytest.mark.parametrize("scope", list(Scope))
def test_only_the_event_types_asked_for(scope: Scope) -> None:
    region_code = "62" if scope is Scope.REGION else None
    asked = subscription(UPTD, scope=scope, region_code=region_code, event_types=("referral.created",))
    lead = known()
    assert audience(asked, referral_created(lead), FACTS, [lead]) is not None
    for event_type, event in every_event(lead).items():
        if event_type != "referral.created":
            assert audience(asked, event, FACTS, [lead]) is None, event_type


def test_an_agency_subscription_a_province_admin_made_covers_only_that_province() -> None:
    lead = known()
    assert audience(subscription(UPTD, region_code="62"), case_updated(), FACTS, [lead]) == Audience(
        Scope.AGENCY, lead
    )
    assert audience(subscription(UPTD, region_code="63"), case_updated(), FACTS, [lead]) is None


@pytest.mark.parametrize("scope", list(Scope))
def test_a_paused_subscription_still_gets_an_audience(scope: Scope) -> None:
    """Pausing holds deliveries back until it is resumed; it must not drop what happened meanwhile."""
    region_code = "62.13" if scope is Scope.REGION else None
    paused = subscription(UPTD, scope=scope, region_code=region_code, paused=True)
    assert audience(paused, case_updated(), FACTS, [known()]) is not None


def test_referral_of_names_the_referral_only_for_referral_events() -> None:
    lead = known()
    for event_type, event in every_event(lead).items():
        expected = lead.referral_id if event_type.startswith("referral.") else None
        assert referral_of(event) == expected, event_type


# -- what each audience sees -----------------------------------------------------------------------------------


def test_the_fact_groups_partition_the_case_facts() -> None:
    fields = [name for group in FactGroup for name in FACT_FIELDS[group]]
    assert len(fields) == len(set(fields))
    assert set(fields) == set(CaseFacts.model_fields)


def test_every_agency_type_has_its_groups() -> None:
    assert set(VISIBLE_FACTS) == set(AgencyType)
    assert all(FactGroup.REFERENCE in groups for groups in VISIBLE_FACTS.values())


@pytest.mark.parametrize("agency_type", ALL_AGENCY_TYPES)
def test_each_agency_type_sees_exactly_its_groups(agency_type: AgencyType) -> None:
    seen = visible_facts(FACTS, Audience(Scope.AGENCY, known("holder", agency_type)))
    expected = {name for group in VISIBLE_FACTS[agency_type] for name in FACT_FIELDS[group]}
    assert set(seen) == expected
    everything = FACTS.model_dump(mode="json")
    assert seen == {name: everything[name] for name in expected}
    json.dumps(seen)  # JSON values only


@pytest.mark.parametrize("agency_type", PERPETRATOR_BLIND)
def test_these_agencies_never_see_the_perpetrators(agency_type: AgencyType) -> None:
    assert FactGroup.PERPETRATORS not in VISIBLE_FACTS[agency_type]
    seen = visible_facts(FACTS, Audience(Scope.AGENCY, known("holder", agency_type)))
    assert "perpetrators" not in seen
    assert Relationship.KELUARGA_SAUDARA.value not in json.dumps(seen)


@pytest.mark.parametrize("agency_type", [AgencyType.UPTD_PPA, AgencyType.DINAS_PPA, AgencyType.NATIONAL_HOTLINE,
                                         AgencyType.POLICE_PPA, AgencyType.LEGAL_AID])
def test_case_managers_police_and_legal_aid_see_the_perpetrators(agency_type: AgencyType) -> None:
    seen = visible_facts(FACTS, Audience(Scope.AGENCY, known("holder", agency_type)))
    assert seen["perpetrators"] == [{"sex": "laki_laki", "age_group": "45-59", "relationship": "keluarga_saudara"}]


@pytest.mark.parametrize("agency_type", [a for a in ALL_AGENCY_TYPES if a not in ALWAYS_CONSENTED])
def test_only_those_who_always_hold_the_case_see_the_consent(agency_type: AgencyType) -> None:
    assert "consent" not in visible_facts(FACTS, Audience(Scope.AGENCY, known("holder", agency_type)))


def test_an_unknown_agency_type_sees_only_the_reference() -> None:
    seen = visible_facts(FACTS, Audience(Scope.AGENCY, known("holder", "kejaksaan")))
    assert set(seen) == set(FACT_FIELDS[FactGroup.REFERENCE])


def test_a_region_audience_sees_aggregate_fields_only() -> None:
    seen = visible_facts(FACTS, Audience(Scope.REGION))
    assert set(seen) == set(AGGREGATE_FIELDS)
    for withheld in ("case_number", "victims", "perpetrators", "needs", "consent", "triage_reasons", "place",
                     "incident_date"):
        assert withheld not in seen
    assert FACTS.case_number not in json.dumps(seen)


def test_visible_facts_of_an_event_leave_its_envelope_out() -> None:
    """The facts may come as the event itself (a CaseUpdated is CaseFacts): its envelope is not a fact."""
    update = case_updated()
    for told in (Audience(Scope.REGION), Audience(Scope.AGENCY, known())):
        seen = visible_facts(update, told)
        assert not {"event_id", "updated_by", "update_id", "producer", "case_id"} & set(seen)
        assert STAFF not in json.dumps(seen)


# -- the notification ------------------------------------------------------------------------------------------


def agency_notification(event: Event, referral: KnownReferral, **kwargs: Any) -> Notification:
    mine = subscription(referral.agency_id, **kwargs)
    told = audience(mine, event, FACTS, [referral])
    assert told is not None
    return build_notification(event, mine, FACTS, told, case_link=CASE_LINK)


def region_notification(event: Event) -> Notification:
    theirs = region_subscription()
    told = audience(theirs, event, FACTS, [])
    assert told is not None
    return build_notification(event, theirs, FACTS, told, case_link=CASE_LINK)


def test_every_event_type_has_its_detail_fields_and_they_exist() -> None:
    assert set(DETAIL_FIELDS) == set(EVENT_TYPES)
    for event_type, event in every_event(known()).items():
        assert set(DETAIL_FIELDS[event_type]) <= set(type(event).model_fields), event_type


@pytest.mark.parametrize("event_type", REGION_EVENT_TYPES)
def test_details_carry_only_the_detail_fields(event_type: str) -> None:
    lead = known()
    event = every_event(lead)[event_type]
    expected = event.model_dump(mode="json", include=set(DETAIL_FIELDS[event_type]) - {"changed_fields"})
    notifications = [region_notification(event)]
    if event_type != "case.reported":
        notifications.append(agency_notification(event, lead))
    for notification in notifications:
        assert set(notification.details) == set(DETAIL_FIELDS[event_type])
        assert {k: v for k, v in notification.details.items() if k != "changed_fields"} == expected


CHANGED = ("needs", "perpetrators", "victims.0.age_group", "consent", "case_number", "violence_types", "priority")


@pytest.mark.parametrize("agency_type", ALL_AGENCY_TYPES)
def test_an_update_names_only_the_changed_fields_the_agency_may_see(agency_type: AgencyType) -> None:
    """Even the name of a withheld field says too much ("perpetrators" changed)."""
    holder = known("holder", agency_type)
    notification = agency_notification(case_updated(changed=CHANGED), holder)
    visible = {name for group in VISIBLE_FACTS[agency_type] for name in FACT_FIELDS[group]}
    assert notification.details["changed_fields"] == [name for name in CHANGED if name.split(".")[0] in visible]
    assert notification.details["kind"] == "information_added"


def test_a_region_update_names_only_aggregate_fields() -> None:
    notification = region_notification(case_updated(changed=CHANGED))
    assert notification.details["changed_fields"] == ["violence_types", "priority"]
    for withheld in ("needs", "perpetrators", "victims", "consent", "case_number"):
        assert withheld not in notification.model_dump_json()


@pytest.mark.parametrize("agency_type", PERPETRATOR_BLIND)
def test_a_change_to_the_perpetrators_is_not_even_named_to_those_who_may_not_see_them(agency_type: AgencyType) -> None:
    notification = agency_notification(case_updated(changed=("perpetrators",)), known("holder", agency_type))
    assert notification.details["changed_fields"] == []
    assert "perpetrators" not in notification.model_dump_json()


@pytest.mark.parametrize("event_type", REGION_EVENT_TYPES)
def test_no_free_text_and_no_staff_id_anywhere_in_a_notification(event_type: str) -> None:
    lead = known()
    event = every_event(lead)[event_type]
    notifications = [region_notification(event)]
    if event_type != "case.reported":
        notifications.append(agency_notification(event, lead))
    for notification in notifications:
        body = notification.model_dump_json()
        assert FREE_TEXT not in body
        assert "Siti" not in body
        assert STAFF not in body


def test_a_declined_referrals_reason_and_actor_are_not_sent() -> None:
    police = known(POLICE, AgencyType.POLICE_PPA, ReferralStatus.DECLINED)
    event = referral_declined(police)
    for notification in (agency_notification(event, police), region_notification(event)):
        body = notification.model_dump_json()
        assert notification.details == {}
        assert FREE_TEXT not in body
        assert STAFF not in body
        assert '"actor"' not in body
        assert '"reason"' not in body


def test_a_closed_cases_closer_is_not_sent_but_the_reason_is() -> None:
    event = case_closed()
    for notification in (agency_notification(event, known()), region_notification(event)):
        body = notification.model_dump_json()
        assert notification.details == {"reason": "handled"}
        assert STAFF not in body
        assert "closed_by" not in body


def test_a_new_referrals_reason_is_not_sent_but_the_rule_is() -> None:
    lead = known()
    event = referral_created(lead)
    details = agency_notification(event, lead).details
    assert details == {"rule": "needs_penegakan_hukum", "replaces_referral_id": str(event.replaces_referral_id)}


def test_an_agency_notification_has_the_link_and_its_own_referral() -> None:
    police = known(POLICE, AgencyType.POLICE_PPA, ReferralStatus.SERVICE_STARTED, is_lead=False)
    event = case_updated()
    notification = agency_notification(event, police, language=Language.ENGLISH)
    assert notification.scope is Scope.AGENCY
    assert notification.link == CASE_LINK
    assert notification.referral is not None
    assert notification.referral.referral_id == police.referral_id
    assert notification.referral.agency_id == POLICE
    assert notification.referral.agency_type == "police_ppa"
    assert notification.referral.status == "service_started"
    assert notification.referral.is_lead is False
    assert notification.referral.accept_by == police.accept_by
    assert (notification.event_id, notification.event_type, notification.case_id) == (
        event.event_id, "case.updated", CASE_ID
    )
    assert notification.language is Language.ENGLISH
    assert notification.summary is None  # filled in later, from the templates
    assert set(notification.case) == {n for g in VISIBLE_FACTS[AgencyType.POLICE_PPA] for n in FACT_FIELDS[g]}


@pytest.mark.parametrize("event_type", REGION_EVENT_TYPES)
def test_a_region_notification_has_no_link_no_referral_and_aggregate_facts(event_type: str) -> None:
    event = every_event(known())[event_type]
    notification = region_notification(event)
    assert notification.scope is Scope.REGION
    assert notification.link is None
    assert notification.referral is None
    assert set(notification.case) == set(AGGREGATE_FIELDS)
    body = json.loads(notification.model_dump_json())
    assert body["link"] is None
    assert body["referral"] is None


def test_a_region_notification_never_holds_the_case_number() -> None:
    for event_type, event in every_event(known()).items():
        assert FACTS.case_number not in region_notification(event).model_dump_json(), event_type


def test_the_same_event_builds_the_same_notification() -> None:
    """Receivers deduplicate on event_id: every attempt sends the same body."""
    lead = known()
    event = referral_accepted(lead)
    assert agency_notification(event, lead).event_id == agency_notification(event, lead).event_id == event.event_id
    mine = subscription(UPTD)
    told = Audience(Scope.AGENCY, lead)
    first = build_notification(event, mine, FACTS, told, case_link=CASE_LINK)
    assert first == build_notification(event, mine, FACTS, told, case_link=CASE_LINK)
