"""Access follows the referral (``shared.referral_access``), as notifications applies it at a time passed in:
a completed referral, or one revoked because its case closed, hears of its case for the follow-up period and then
nothing; a declined or revoked one stops at once (hearing only of its own ending); withdrawn consent ends it; and
a reopened case reaches the agencies that still hold it and the region's supervisors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from notifications.domain.need_to_know import Audience, KnownReferral, ReferralStatus, audience
from notifications.domain.subscriptions import (
    AGENCY_EVENT_TYPES,
    REGION_EVENT_TYPES,
    Channel,
    Filters,
    Language,
    Scope,
    Subscription,
)
from shared.contracts import (
    CaseClosed,
    CaseReopened,
    CaseUpdated,
    Event,
    ReferralCompleted,
    ReferralDeclined,
    ReferralRevoked,
)
from shared.contracts.examples import example_case_reported
from shared.contracts.intake import CaseFacts, Consent
from shared.contracts.routing import CASE_CLOSED_REASON
from shared.contracts.vocabulary import AgencyType, ConsentGiver, Need
from shared.referral_access import ReferralAccess

ENDED_AT = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)  # when the referral was completed, revoked or declined
FOLLOW_UP = timedelta(days=30)
CASE_ID = UUID("7b1f6a52-0c3e-4f0a-9d7e-52d1c8e4a901")
POLICE = "police-ppa-62.13"
UPTD = "uptd-ppa-62.13"


def facts(consent: tuple[AgencyType, ...] = tuple(AgencyType)) -> CaseFacts:
    reported = example_case_reported(
        case_id=CASE_ID, regency_code="62.13", consent=Consent(given_by=ConsentGiver.KORBAN, agency_types=consent)
    )
    return CaseFacts.model_validate(reported.model_dump())


FACTS = facts()


def subscription(agency_id: str | None = POLICE, *, scope: Scope = Scope.AGENCY) -> Subscription:
    return Subscription(
        subscription_id=uuid4(), scope=scope, agency_id=agency_id, region_code="62.13" if agency_id is None else None,
        event_types=REGION_EVENT_TYPES if scope is Scope.REGION else AGENCY_EVENT_TYPES, channel=Channel.WEBHOOK,
        target="https://ppa.example/hooks", language=Language.INDONESIAN, filters=Filters(), paused=False,
        created_at=ENDED_AT, updated_at=ENDED_AT,
    )


def referral(
    status: ReferralStatus, *, agency_id: str = POLICE, agency_type: AgencyType = AgencyType.POLICE_PPA,
    closed_with_case: bool = False, since: datetime = ENDED_AT,
) -> KnownReferral:
    return KnownReferral(
        referral_id=uuid4(), case_id=CASE_ID, agency_id=agency_id, agency_type=agency_type.value,
        is_lead=agency_type is AgencyType.UPTD_PPA, status=status, status_since=since,
        closed_with_case=closed_with_case,
    )


def case_closed() -> CaseClosed:
    return CaseClosed(case_id=CASE_ID, case_number=FACTS.case_number, province_code="62", regency_code="62.13",
                      reason="handled", closed_by="user-1")


def case_reopened() -> CaseReopened:
    return CaseReopened(case_id=CASE_ID, case_number=FACTS.case_number, province_code="62", regency_code="62.13",
                        reason="victim_returned", reopened_by="user-1")


def case_updated() -> CaseUpdated:
    return CaseUpdated(case_id=CASE_ID, **FACTS.model_dump(), update_id=uuid4(), kind="information_added",
                       changed_fields=("needs",), updated_by="user-1")


CASE_EVENTS = {"case.closed": case_closed, "case.reopened": case_reopened, "case.updated": case_updated}

COMPLETED = referral(ReferralStatus.COMPLETED)
CLOSED_WITH_CASE = referral(ReferralStatus.REVOKED, closed_with_case=True)
DECLINED = referral(ReferralStatus.DECLINED)
REVOKED = referral(ReferralStatus.REVOKED)


def told(known: KnownReferral, event: Event, now: datetime, **kwargs: object) -> Audience | None:
    return audience(subscription(known.agency_id), event, FACTS, [known], now=now, **kwargs)  # type: ignore[arg-type]


# -- the access each state leaves ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("known", "expected"),
    [
        (referral(ReferralStatus.CREATED), ReferralAccess.LIVE),
        (referral(ReferralStatus.ACCEPTED), ReferralAccess.LIVE),
        (referral(ReferralStatus.SERVICE_STARTED), ReferralAccess.LIVE),
        (COMPLETED, ReferralAccess.FOLLOW_UP),
        (CLOSED_WITH_CASE, ReferralAccess.FOLLOW_UP),
        (DECLINED, ReferralAccess.ENDED),
        (REVOKED, ReferralAccess.ENDED),
    ],
)
def test_each_state_leaves_the_access_of_the_shared_rules(known: KnownReferral, expected: ReferralAccess) -> None:
    assert known.access(ENDED_AT + timedelta(days=1)) is expected


def test_a_live_referral_stays_live_however_long_it_takes() -> None:
    assert referral(ReferralStatus.ACCEPTED).access(ENDED_AT + timedelta(days=400)) is ReferralAccess.LIVE


def test_withdrawn_consent_ends_every_access() -> None:
    for status in (ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED):
        assert referral(status).access(ENDED_AT, consented=False) is ReferralAccess.ENDED


# -- the follow-up period --------------------------------------------------------------------------------------


@pytest.mark.parametrize("event_type", sorted(CASE_EVENTS))
@pytest.mark.parametrize("known", [COMPLETED, CLOSED_WITH_CASE], ids=["completed", "revoked_case_closed"])
def test_a_finished_referral_hears_of_its_case_during_the_follow_up_then_nothing(
    known: KnownReferral, event_type: str
) -> None:
    event = CASE_EVENTS[event_type]()
    last_moment = ENDED_AT + FOLLOW_UP - timedelta(seconds=1)

    assert told(known, event, ENDED_AT) == Audience(Scope.AGENCY, known)
    assert told(known, event, last_moment) == Audience(Scope.AGENCY, known)
    assert told(known, event, ENDED_AT + FOLLOW_UP) is None
    assert told(known, event, ENDED_AT + timedelta(days=365)) is None


def test_the_follow_up_period_is_the_one_passed_in() -> None:
    week = timedelta(days=7)
    assert told(COMPLETED, case_reopened(), ENDED_AT + timedelta(days=6), follow_up=week) is not None
    assert told(COMPLETED, case_reopened(), ENDED_AT + timedelta(days=7), follow_up=week) is None
    assert told(COMPLETED, case_reopened(), ENDED_AT + timedelta(days=7), follow_up=timedelta(days=8)) is not None


@pytest.mark.parametrize("event_type", sorted(CASE_EVENTS))
@pytest.mark.parametrize("known", [DECLINED, REVOKED], ids=["declined", "revoked"])
def test_a_declined_or_revoked_referral_hears_nothing_more_at_once(known: KnownReferral, event_type: str) -> None:
    assert told(known, CASE_EVENTS[event_type](), ENDED_AT) is None


def test_a_declined_or_revoked_referral_still_hears_of_its_own_ending() -> None:
    declined = ReferralDeclined(case_id=CASE_ID, referral_id=DECLINED.referral_id, agency_id=POLICE, actor="u",
                                reason="Di luar wilayah kerja kami")
    revoked = ReferralRevoked(case_id=CASE_ID, referral_id=REVOKED.referral_id, agency_id=POLICE, actor="u",
                              reason="Dirujuk ulang")
    assert told(DECLINED, declined, ENDED_AT) == Audience(Scope.AGENCY, DECLINED)
    assert told(REVOKED, revoked, ENDED_AT) == Audience(Scope.AGENCY, REVOKED)


def test_a_referral_closed_with_its_case_hears_of_that_revocation() -> None:
    revoked = ReferralRevoked(case_id=CASE_ID, referral_id=CLOSED_WITH_CASE.referral_id, agency_id=POLICE,
                              actor="u", reason=CASE_CLOSED_REASON)
    assert told(CLOSED_WITH_CASE, revoked, ENDED_AT) == Audience(Scope.AGENCY, CLOSED_WITH_CASE)


def test_its_own_completion_is_heard_but_not_once_the_follow_up_is_over() -> None:
    completed = ReferralCompleted(case_id=CASE_ID, referral_id=COMPLETED.referral_id, agency_id=POLICE, actor="u",
                                  services_given=(Need.PENEGAKAN_HUKUM,))
    assert told(COMPLETED, completed, ENDED_AT) == Audience(Scope.AGENCY, COMPLETED)
    assert told(COMPLETED, completed, ENDED_AT + FOLLOW_UP) is None


@pytest.mark.parametrize("known", [COMPLETED, CLOSED_WITH_CASE, referral(ReferralStatus.ACCEPTED)])
def test_withdrawn_consent_ends_it_even_within_the_follow_up(known: KnownReferral) -> None:
    without_police = facts(consent=(AgencyType.HEALTH,))
    for event in (case_closed(), case_reopened()):
        assert audience(subscription(), event, without_police, [known], now=ENDED_AT) is None


def test_an_agency_referred_again_is_told_as_its_live_referral() -> None:
    again = referral(ReferralStatus.CREATED, since=ENDED_AT + timedelta(days=3))
    mine = subscription()
    assert audience(mine, case_updated(), FACTS, [COMPLETED, again], now=ENDED_AT + timedelta(days=4)) == Audience(
        Scope.AGENCY, again
    )
    assert audience(mine, case_updated(), FACTS, [DECLINED, COMPLETED], now=ENDED_AT) == Audience(
        Scope.AGENCY, COMPLETED
    )


# -- a reopened case -------------------------------------------------------------------------------------------


def test_a_reopened_case_reaches_the_agencies_that_hold_it_and_the_region() -> None:
    lead = referral(ReferralStatus.REVOKED, agency_id=UPTD, agency_type=AgencyType.UPTD_PPA, closed_with_case=True)
    health = referral(ReferralStatus.DECLINED, agency_id="rsud-sampit", agency_type=AgencyType.HEALTH)
    referrals = [lead, COMPLETED, health]
    reopened = case_reopened()
    within = ENDED_AT + timedelta(days=10)

    assert audience(subscription(UPTD), reopened, FACTS, referrals, now=within) == Audience(Scope.AGENCY, lead)
    assert audience(subscription(POLICE), reopened, FACTS, referrals, now=within) == Audience(Scope.AGENCY, COMPLETED)
    assert audience(subscription("rsud-sampit"), reopened, FACTS, referrals, now=within) is None
    assert audience(subscription(None, scope=Scope.REGION), reopened, FACTS, referrals, now=within) == Audience(
        Scope.REGION
    )
    # Long after the follow-up, only the region still hears of it.
    later = ENDED_AT + timedelta(days=90)
    assert audience(subscription(UPTD), reopened, FACTS, referrals, now=later) is None
    assert audience(subscription(None, scope=Scope.REGION), reopened, FACTS, referrals, now=later) is not None


def test_case_reopened_is_an_event_type_agencies_and_regions_may_choose() -> None:
    assert "case.reopened" in AGENCY_EVENT_TYPES
    assert "case.reopened" in REGION_EVENT_TYPES
