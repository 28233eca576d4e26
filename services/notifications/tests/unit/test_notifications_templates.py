"""The message templates: every language, channel and event type renders, for every kind of audience, and says
what it must (case number, what happened, what to do, the link) without anything the notification lacks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from notifications.adapters.templates import RenderedMessage, render
from notifications.domain.need_to_know import (
    AGGREGATE_FIELDS,
    Audience,
    KnownReferral,
    ReferralStatus,
)
from notifications.domain.notification import Notification, build_notification
from notifications.domain.subscriptions import (
    REGION_EVENT_TYPES,
    Channel,
    Filters,
    Language,
    Scope,
    Subscription,
    SubscriptionSpec,
)
from shared.contracts import (
    CaseClosed,
    CaseLinked,
    CaseReopened,
    CaseReported,
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
from shared.contracts.visibility import FACT_FIELDS, FactGroup
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
from shared.contracts.vocabulary import Channel as ReportChannel

CASE_LINK = "https://sinergi.example.go.id/kasus/3f0c1b9e-8d7a-4c55-9b1e-2a6f0d4e7c11"
REPORTED_AT = datetime(2026, 3, 14, 2, 30, tzinfo=UTC)  # 09.30 WIB
ACCEPT_BY = REPORTED_AT + timedelta(hours=4)
FIRST_SERVICE_BY = REPORTED_AT + timedelta(days=1)
LANGUAGES = tuple(Language)
CHANNELS = tuple(Channel)


def full_case() -> CaseReported:
    return example_case_reported(
        violence_types=(ViolenceType.FISIK, ViolenceType.SEKSUAL),
        child_in_conflict_with_law=True,
        place=PlaceCategory.SEKOLAH,
        incident_date=date(2026, 3, 1),
        incident_date_precision="month",
        victims=(
            VictimFacts(sex=Sex.PEREMPUAN, age_group=AgeGroup.AGE_13_17, has_disability=True,
                        education=EducationLevel.SLTP),
            VictimFacts(sex=Sex.LAKI_LAKI, age_group=AgeGroup.AGE_6_12),
        ),
        perpetrators=(PerpetratorFacts(sex=Sex.LAKI_LAKI, age_group=AgeGroup.AGE_25_44,
                                       relationship=Relationship.GURU),),
        needs=(Need.KESEHATAN, Need.BANTUAN_HUKUM, Need.PENAMPUNGAN_SEMENTARA),
        consent=Consent(given_by=ConsentGiver.WALI, agency_types=tuple(AgencyType)),
        priority=Priority.P1,
        triage_reasons=(TriageReason.CHILD_SEXUAL_VIOLENCE, TriageReason.INJURIES),
        channel=ReportChannel.HOTLINE,
        reported_at=REPORTED_AT,
    )


def event_of(event_type: str, facts: CaseReported, referral_id: UUID) -> Event:
    """A real event of each type about the case (and, for referral events, the subscriber's referral)."""
    agency = "uptd-ppa-62.13"
    case_id = facts.case_id
    case_facts = facts.model_dump(include=set(CaseFacts.model_fields))
    region = {"province_code": facts.province_code, "regency_code": facts.regency_code}
    transition = {"case_id": case_id, "referral_id": referral_id, "agency_id": agency, "actor": "user-1"}
    events: dict[str, Event] = {
        "case.reported": facts,
        "case.updated": CaseUpdated(
            **case_facts, case_id=case_id, update_id=uuid4(), kind="information_added",
            changed_fields=("needs", "victims"), updated_by="user-1",
        ),
        "case.linked": CaseLinked(
            case_id=case_id, linked_case_id=uuid4(), case_number=facts.case_number,
            linked_case_number="6213-2026-00007", reasons=(LinkReason.SAME_VICTIM, LinkReason.SAME_CONTACT),
        ),
        "case.closed": CaseClosed(
            case_id=case_id, case_number=facts.case_number, reason="handled", closed_by="user-1", **region
        ),
        "case.reopened": CaseReopened(
            case_id=case_id, case_number=facts.case_number, reason="repeat_perpetrator", reopened_by="user-1",
            **region,
        ),
        "case.services_completed": CaseServicesCompleted(
            case_id=case_id, services_given=(Need.KESEHATAN, Need.BANTUAN_HUKUM), referral_count=2
        ),
        "referral.created": ReferralCreated(
            case_id=case_id, referral_id=referral_id, agency_id=agency, agency_type="uptd_ppa", is_lead=True,
            rule="regency_uptd", reason="UPTD PPA of the regency", accept_by=ACCEPT_BY,
            first_service_by=FIRST_SERVICE_BY, replaces_referral_id=uuid4(), **region,
        ),
        "referral.accepted": ReferralAccepted(
            case_id=case_id, referral_id=referral_id, agency_id=agency, accepted_by="user-1"
        ),
        "referral.declined": ReferralDeclined(**transition, reason="Di luar wilayah kerja kami"),
        "referral.service_started": ReferralServiceStarted(**transition),
        "referral.completed": ReferralCompleted(**transition, services_given=(Need.KESEHATAN,)),
        "referral.revoked": ReferralRevoked(**transition, reason="Dirujuk ulang oleh pengelola kasus"),
        "referral.sla_breached": ReferralSlaBreached(
            case_id=case_id, referral_id=referral_id, agency_id=agency, deadline="accept", due_at=ACCEPT_BY,
            escalated_to="dinas-ppa-62.13",
        ),
    }
    return events[event_type]


def subscription(scope: Scope, language: Language) -> Subscription:
    now = datetime.now(UTC)
    return Subscription(
        subscription_id=uuid4(), scope=scope, agency_id="uptd-ppa-62.13" if scope is Scope.AGENCY else None,
        region_code="62.13" if scope is Scope.REGION else None, event_types=REGION_EVENT_TYPES,
        channel=Channel.EMAIL, target="petugas@uptdppa.example.go.id", language=language, filters=Filters(),
        paused=False, created_at=now, updated_at=now,
    )


def agency_notification(event_type: str, language: Language = Language.INDONESIAN) -> Notification:
    """A case manager's: every fact of the case, its referral with deadlines, and the link."""
    facts = full_case()
    referral = KnownReferral(
        referral_id=uuid4(), case_id=facts.case_id, agency_id="uptd-ppa-62.13", agency_type="uptd_ppa",
        is_lead=True, status=ReferralStatus.CREATED, accept_by=ACCEPT_BY, first_service_by=FIRST_SERVICE_BY,
    )
    event = event_of(event_type, facts, referral.referral_id)
    return build_notification(event, subscription(Scope.AGENCY, language), facts, Audience(Scope.AGENCY, referral),
                              case_link=CASE_LINK)


def minimal_notification(event_type: str, language: Language = Language.INDONESIAN) -> Notification:
    """An agency of a type notifications does not know: it sees the reference facts only, and no deadlines."""
    facts = example_case_reported()
    referral = KnownReferral(
        referral_id=uuid4(), case_id=facts.case_id, agency_id="uptd-ppa-62.13", agency_type="new_agency_type",
        is_lead=False, status=ReferralStatus.ACCEPTED,
    )
    event = event_of(event_type, facts, referral.referral_id)
    return build_notification(event, subscription(Scope.AGENCY, language), facts, Audience(Scope.AGENCY, referral),
                              case_link=CASE_LINK)


def region_notification(event_type: str, language: Language = Language.INDONESIAN) -> Notification:
    """A supervisor's: aggregate facts only, no case number, no referral, no link."""
    facts = full_case()
    event = event_of(event_type, facts, uuid4())
    return build_notification(event, subscription(Scope.REGION, language), facts, Audience(Scope.REGION),
                              case_link=CASE_LINK)


BUILDERS = {"agency": agency_notification, "minimal": minimal_notification, "region": region_notification}


def test_the_builders_give_the_audiences_the_tests_mean() -> None:
    assert set(minimal_notification("case.closed").case) == set(FACT_FIELDS[FactGroup.REFERENCE])
    region = region_notification("case.closed")
    assert set(region.case) == set(AGGREGATE_FIELDS)
    assert region.referral is None
    assert region.link is None
    assert agency_notification("case.closed").case.keys() >= {"victims", "perpetrators", "needs", "consent"}


# -- every template renders ------------------------------------------------------------------------------------


@pytest.mark.parametrize("audience", sorted(BUILDERS))
@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("event_type", REGION_EVENT_TYPES)
def test_every_template_renders(event_type: str, language: Language, channel: Channel, audience: str) -> None:
    notification = BUILDERS[audience](event_type, language)
    message = render(notification, channel)
    assert message.text.strip()
    assert "None" not in message.text  # an absent value printed as Python would
    if channel is Channel.EMAIL:
        assert message.subject
        assert "\n" not in message.subject
        assert message.subject == message.subject.strip()
    else:
        assert message.subject is None
    if channel in (Channel.SMS, Channel.WEBHOOK):
        assert "\n" not in message.text
    if channel is Channel.SMS:
        assert len(message.text) < 300, message.text


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("event_type", REGION_EVENT_TYPES)
def test_the_case_number_is_shown_when_present_and_only_then(event_type: str, channel: Channel) -> None:
    agency = agency_notification(event_type)
    region = region_notification(event_type)
    assert agency.case["case_number"] in render(agency, channel).text
    region_message = render(region, channel)
    assert agency.case["case_number"] not in f"{region_message.subject} {region_message.text}"
    assert "62.13" in region_message.text  # a region's message names the region instead


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("event_type", REGION_EVENT_TYPES)
def test_the_link_is_included_when_present(event_type: str, channel: Channel) -> None:
    assert CASE_LINK in render(agency_notification(event_type), channel).text
    assert "https://" not in render(region_notification(event_type), channel).text


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_notification_read_back_from_its_json_renders_the_same(channel: Channel) -> None:
    # Deliveries are rendered from the stored payload, where datetimes and enums have been through JSON.
    notification = agency_notification("referral.created")
    assert render(Notification.model_validate_json(notification.model_dump_json()), channel) == render(
        notification, channel
    )


# -- language --------------------------------------------------------------------------------------------------


def test_indonesian_is_the_default_and_english_differs() -> None:
    default_language = SubscriptionSpec(("referral.created",), Channel.EMAIL, "petugas@uptdppa.example.go.id").language
    assert default_language is Language.INDONESIAN
    indonesian = render(agency_notification("referral.created", default_language), Channel.EMAIL)
    english = render(agency_notification("referral.created", Language.ENGLISH), Channel.EMAIL)
    assert indonesian.subject is not None
    assert english.subject is not None
    assert "Rujukan kasus baru" in indonesian.subject
    assert "New case referral" in english.subject
    assert "Mohon terima rujukan ini sebelum" in indonesian.text
    assert "Please accept this referral before" in english.text
    assert indonesian.text != english.text


def test_deadlines_are_in_local_time_with_indonesian_month_names() -> None:
    indonesian = render(agency_notification("referral.created"), Channel.EMAIL).text
    english = render(agency_notification("referral.created", Language.ENGLISH), Channel.EMAIL).text
    assert "14 Maret 2026 pukul 13.30 WIB" in indonesian  # 06.30 UTC, Central Kalimantan (62) keeps WIB
    assert "14 March 2026, 13:30 WIB" in english
    assert "Maret 2026" in indonesian  # the incident date, known to the month only


def test_labels_replace_enum_values() -> None:
    text = render(agency_notification("case.reported"), Channel.EMAIL).text
    assert "P1 (darurat)" in text
    assert "kekerasan fisik dan kekerasan seksual" in text
    assert "fisik," not in text
    english = render(agency_notification("case.reported", Language.ENGLISH), Channel.EMAIL).text
    assert "P1 (emergency)" in english
    assert "physical violence and sexual violence" in english


def test_a_reopened_case_says_why_and_what_comes_next_in_both_languages() -> None:
    indonesian = render(agency_notification("case.reopened"), Channel.EMAIL)
    english = render(agency_notification("case.reopened", Language.ENGLISH), Channel.EMAIL)
    region = render(region_notification("case.reopened"), Channel.SMS).text

    assert indonesian.subject is not None
    assert "Kasus dibuka kembali" in indonesian.subject
    assert "kekerasan berulang oleh pelaku yang sama" in indonesian.text
    assert "dirujuk ulang" in indonesian.text
    assert english.subject is not None
    assert "Case reopened" in english.subject
    assert "violence again by the same perpetrator" in english.text
    assert "referred again" in english.text
    assert "repeat_perpetrator" not in indonesian.text + english.text
    assert "user-1" not in indonesian.text + english.text  # who reopened it is staff's, not the subscriber's
    assert region == "Sinergi: Sebuah kasus di wilayah 62.13 dibuka kembali (kekerasan berulang oleh pelaku yang sama)."


def test_whatsapp_uses_bold_markup() -> None:
    assert render(agency_notification("referral.created"), Channel.WHATSAPP).text.startswith("*Sinergi: ")


# -- nothing beyond the notification ---------------------------------------------------------------------------


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("event_type", ["referral.declined", "referral.revoked"])
def test_free_text_reasons_never_reach_a_message(event_type: str, channel: Channel) -> None:
    message = render(agency_notification(event_type), channel)
    assert "wilayah kerja kami" not in message.text
    assert "Dirujuk ulang" not in message.text


def test_facts_an_agency_may_not_see_are_not_shown() -> None:
    text = render(minimal_notification("referral.created"), Channel.EMAIL).text
    assert "kekerasan psikis" not in text  # the example case's violence type: not a reference fact
    assert "Korban:" not in text


def test_unknown_enum_values_are_shown_raw() -> None:
    notification = agency_notification("case.closed")
    novel = notification.model_copy(update={
        "case": {**notification.case, "violence_types": ["kekerasan_siber"], "priority": "P0",
                 "needs": ["konseling_daring"]},
        "details": {"reason": "merged"},
        "referral": None if notification.referral is None else notification.referral.model_copy(
            update={"agency_type": "puskesmas_keliling", "status": "paused"}
        ),
    })
    for language in LANGUAGES:
        in_language = novel.model_copy(update={"language": language})
        for channel in CHANNELS:
            assert "merged" in render(in_language, channel).text  # the close reason every channel states
        email: RenderedMessage = render(in_language, Channel.EMAIL)
        assert "[P0]" in (email.subject or "")
        for raw in ("kekerasan_siber", "konseling_daring", "puskesmas_keliling", "paused"):
            assert raw in email.text
