"""``referral.follow_up_due``: an agency subscription may choose it (a region's may not), it reaches the agency
of the referral, and its message renders in every language and channel saying which case and when, nothing of
the follow-up's note (the event carries none)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from notifications.adapters.templates import render
from notifications.domain.need_to_know import Audience, KnownReferral, ReferralStatus, audience
from notifications.domain.notification import build_notification
from notifications.domain.subscriptions import (
    AGENCY_EVENT_TYPES,
    EVENT_TYPE_DESCRIPTIONS,
    REGION_EVENT_TYPES,
    Channel,
    Filters,
    InvalidSubscriptionError,
    Language,
    Scope,
    Subscription,
    SubscriptionSpec,
)
from notifications.entrypoints.api import list_event_types
from shared.auth import Principal, Role
from shared.contracts import ReferralFollowUpDue
from shared.contracts.examples import example_case_reported

DUE = datetime(2026, 3, 16, 1, 0, tzinfo=UTC)  # 08.00 WIB
LINK = "https://sinergi.example.go.id/kasus/1"
AGENCY = "uptd-ppa-62.13"


def _subscription(scope: Scope, language: Language = Language.INDONESIAN) -> Subscription:
    now = datetime.now(UTC)
    return Subscription(
        subscription_id=uuid4(), scope=scope, agency_id=AGENCY if scope is Scope.AGENCY else None,
        region_code="62.13" if scope is Scope.REGION else None,
        event_types=AGENCY_EVENT_TYPES if scope is Scope.AGENCY else REGION_EVENT_TYPES, channel=Channel.EMAIL,
        target="petugas@uptdppa.example.go.id", language=language, filters=Filters(), paused=False, created_at=now,
        updated_at=now,
    )


def _world() -> tuple[ReferralFollowUpDue, KnownReferral]:
    facts = example_case_reported()
    referral = KnownReferral(referral_id=uuid4(), case_id=facts.case_id, agency_id=AGENCY, agency_type="uptd_ppa",
                             is_lead=True, status=ReferralStatus.ACCEPTED)
    event = ReferralFollowUpDue(case_id=facts.case_id, referral_id=referral.referral_id, agency_id=AGENCY,
                                follow_up_id=uuid4(), due_at=DUE)
    return event, referral


def test_only_agency_subscriptions_may_choose_it() -> None:
    assert "referral.follow_up_due" in AGENCY_EVENT_TYPES
    assert "referral.follow_up_due" not in REGION_EVENT_TYPES
    assert "referral.follow_up_due" in EVENT_TYPE_DESCRIPTIONS
    spec = SubscriptionSpec(("referral.follow_up_due",), Channel.EMAIL, "petugas@uptdppa.example.go.id")
    assert spec.validated(Scope.AGENCY, None).event_types == ("referral.follow_up_due",)
    with pytest.raises(InvalidSubscriptionError):
        spec.validated(Scope.REGION, "62.13")


def test_it_reaches_the_agency_of_the_referral_only() -> None:
    event, referral = _world()
    facts = example_case_reported()
    now = datetime.now(UTC)
    told = audience(_subscription(Scope.AGENCY), event, facts, [referral], now=now)
    assert told == Audience(Scope.AGENCY, referral)
    other = KnownReferral(**{**referral.__dict__, "agency_id": "polres-62.13", "referral_id": uuid4()})
    assert audience(_subscription(Scope.AGENCY), event, facts, [other], now=now) is None
    assert audience(_subscription(Scope.REGION), event, facts, [referral], now=now) is None


@pytest.mark.parametrize("channel", tuple(Channel))
@pytest.mark.parametrize("language", tuple(Language))
def test_its_message_names_the_case_and_the_due_time(channel: Channel, language: Language) -> None:
    event, referral = _world()
    facts = example_case_reported(case_id=event.case_id)
    notification = build_notification(event, _subscription(Scope.AGENCY, language), facts,
                                      Audience(Scope.AGENCY, referral), case_link=LINK)
    assert notification.details == {"follow_up_id": str(event.follow_up_id), "due_at": "2026-03-16T01:00:00Z"}
    message = render(notification, channel)
    assert facts.case_number in message.text
    assert "None" not in message.text
    if channel is not Channel.SMS:
        assert LINK in message.text
        assert "08.00" in message.text or "08:00" in message.text, message.text
    if channel in (Channel.SMS, Channel.WEBHOOK):
        assert "\n" not in message.text
    if channel is Channel.SMS:
        assert len(message.text) < 300
    words = ("Tindak lanjut", "tindak lanjut") if language is Language.INDONESIAN else ("Follow-up", "follow-up")
    assert any(word in f"{message.subject} {message.text}" for word in words), message.text


async def test_the_event_types_list_offers_it_to_agencies_only() -> None:
    principal = Principal("sup", frozenset({Role.AGENCY_SUPERVISOR}), agency_id=AGENCY)
    scopes = {item.event_type: item.scopes for item in await list_event_types(principal)}
    assert scopes["referral.follow_up_due"] == [Scope.AGENCY]
    assert scopes["referral.created"] == [Scope.AGENCY, Scope.REGION]
    assert scopes["case.reported"] == [Scope.REGION]
