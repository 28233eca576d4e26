"""Kafka consumers: case and referral events become notifications queued for the subscribers entitled to them."""

from __future__ import annotations

from collections.abc import Callable

from notifications import SERVICE
from notifications.service_layer.events import take_in
from shared.contracts import (
    CASES,
    REFERRALS,
    CaseClosed,
    CaseLinked,
    CaseReported,
    CaseServicesCompleted,
    CaseUpdated,
    Event,
    ReferralAccepted,
    ReferralCompleted,
    ReferralCreated,
    ReferralDeclined,
    ReferralFollowUpDue,
    ReferralRevoked,
    ReferralServiceStarted,
    ReferralSlaBreached,
    TopicSpec,
)
from shared.crypto import FieldCipher
from shared.service import Runtime
from shared.unit_of_work import UnitOfWork

# What notifications consumes; also its AsyncAPI document (entrypoints/asyncapi.py).
CONSUMES: dict[TopicSpec, tuple[type[Event], ...]] = {
    CASES: (CaseReported, CaseUpdated, CaseClosed, CaseLinked, CaseServicesCompleted),
    REFERRALS: (
        ReferralCreated, ReferralAccepted, ReferralDeclined, ReferralServiceStarted, ReferralCompleted,
        ReferralRevoked, ReferralSlaBreached, ReferralFollowUpDue,
    ),
}

# The inbox's names for the consumers: stable across environments and consumer-group prefixes.
INBOX_CONSUMERS = {CASES: "notifications.cases", REFERRALS: "notifications.referrals"}


def register_subscribers(
    runtime: Runtime, cipher: FieldCipher, *, case_link: str | None, on_queued: Callable[[], None]
) -> None:
    for topic, events in CONSUMES.items():
        inbox_name = INBOX_CONSUMERS[topic]

        async def on_event(event: Event, uow: UnitOfWork, inbox_name: str = inbox_name) -> None:
            if await take_in(event, uow, cipher, consumer=inbox_name, case_link=case_link):
                on_queued()

        runtime.consume(topic, events, on_event, consumer=SERVICE if topic is REFERRALS else f"{SERVICE}-cases")
