"""Taking in events: keep notifications' view of cases and referrals, and queue one notification per
subscription entitled to each event, built for that subscription (``domain.need_to_know``).

Who is entitled is decided when the event is taken in (``now``, from the clock given): what leaves for an agency
must be what it may know then, so a follow-up period that ran out while the event waited sends nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from notifications.adapters import case_view, deliveries, repository
from notifications.adapters.templates import render
from notifications.domain.need_to_know import KnownReferral, ReferralStatus, audience
from notifications.domain.notification import build_notification
from notifications.domain.subscriptions import Channel
from shared.contracts import (
    CaseReported,
    CaseUpdated,
    Event,
    ReferralAccepted,
    ReferralCompleted,
    ReferralCreated,
    ReferralDeclined,
    ReferralRevoked,
    ReferralServiceStarted,
)
from shared.contracts.base import utc_now
from shared.contracts.intake import CaseFacts
from shared.contracts.routing import CASE_CLOSED_REASON
from shared.crypto import FieldCipher
from shared.referral_access import DEFAULT_FOLLOW_UP
from shared.unit_of_work import UnitOfWork

_STATUS_AFTER = {
    ReferralAccepted: ReferralStatus.ACCEPTED,
    ReferralDeclined: ReferralStatus.DECLINED,
    ReferralServiceStarted: ReferralStatus.SERVICE_STARTED,
    ReferralCompleted: ReferralStatus.COMPLETED,
    ReferralRevoked: ReferralStatus.REVOKED,
}


@dataclass(frozen=True)
class AccessClock:
    """How long a finished referral's agency still hears of its case (``referral_follow_up_days``), and the
    clock that says when now is."""

    follow_up: timedelta = DEFAULT_FOLLOW_UP
    now: Callable[[], datetime] = field(default=utc_now)


async def take_in(
    event: Event,
    uow: UnitOfWork,
    cipher: FieldCipher,
    *,
    consumer: str,
    case_link: str | None,
    clock: AccessClock = AccessClock(),
) -> int:
    """Handle one event from Kafka; return how many deliveries were queued.

    The inbox record, the view and the deliveries commit together, so an event redelivered by Kafka queues
    nothing more, and one that was never committed is handled in full on its next delivery.
    """
    async with uow:
        if not await uow.first_delivery(event, consumer):
            return 0
        queued = await _take_in(uow.session, event, cipher, case_link, clock)
        await uow.commit()
    return queued


async def _take_in(
    session: AsyncSession, event: Event, cipher: FieldCipher, case_link: str | None, clock: AccessClock
) -> int:
    await case_view.lock_case(session, event.case_id)
    if isinstance(event, CaseReported | CaseUpdated):
        await case_view.save_case(session, event.case_id, event, as_of=event.occurred_at)
    facts = await case_view.case_facts(session, event.case_id)
    if facts is None:
        # Its case has not come yet (the topics are read independently): wait for it.
        await case_view.park(session, event)
        return 0
    queued = await _notify(session, event, facts, cipher=cipher, case_link=case_link, clock=clock)
    if isinstance(event, CaseReported | CaseUpdated):
        for waiting in await case_view.take_waiting(session, event.case_id):
            queued += await _notify(
                session, waiting, facts, cipher=cipher, case_link=case_link, clock=clock
            )
    return queued


async def _notify(
    session: AsyncSession, event: Event, facts: CaseFacts, *, cipher: FieldCipher, case_link: str | None,
    clock: AccessClock,
) -> int:
    await _follow_referral(session, event)
    referrals = await case_view.referrals_of_case(session, event.case_id)
    subscriptions = await repository.candidates(
        session, cipher, event_type=event.event_type, agencies={referral.agency_id for referral in referrals},
        province_code=facts.province_code, regency_code=facts.regency_code,
    )
    payloads = []
    link = case_link.format(case_id=event.case_id) if case_link else None
    now = clock.now()
    for subscription in subscriptions:
        told_as = audience(subscription, event, facts, referrals, now=now, follow_up=clock.follow_up)
        if told_as is None:
            continue
        notification = build_notification(event, subscription, facts, told_as, case_link=link)
        summary = render(notification, Channel.WEBHOOK).text
        payloads.append(
            (subscription.subscription_id, notification.model_copy(update={"summary": summary}).model_dump_json())
        )
    return await deliveries.queue(session, event, payloads)


async def _follow_referral(session: AsyncSession, event: Event) -> None:
    if isinstance(event, ReferralCreated):
        await case_view.save_referral(session, KnownReferral(
            referral_id=event.referral_id, case_id=event.case_id, agency_id=event.agency_id,
            agency_type=event.agency_type, is_lead=event.is_lead, status=ReferralStatus.CREATED,
            accept_by=event.accept_by, first_service_by=event.first_service_by, status_since=event.occurred_at,
        ))
    elif (status := _STATUS_AFTER.get(type(event))) is not None:
        closed_with_case = isinstance(event, ReferralRevoked) and event.reason == CASE_CLOSED_REASON
        await case_view.set_referral_status(
            session, event.referral_id, status, since=event.occurred_at,  # type: ignore[attr-defined]
            closed_with_case=closed_with_case,
        )
