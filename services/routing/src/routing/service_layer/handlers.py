"""Routing's use cases."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from uuid import UUID, uuid4

from routing import SERVICE
from routing.adapters import repository
from routing.domain import access
from routing.domain.agencies import Agency
from routing.domain.cases import CaseToRoute
from routing.domain.referrals import Referral
from routing.domain.rules import route
from shared.auth import Principal
from shared.contracts import CaseReported
from shared.contracts.base import utc_now
from shared.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

# The inbox key under which routing records the events it has processed.
INBOX_CONSUMER = SERVICE


async def update_directory(agencies: Sequence[Agency], uow: UnitOfWork) -> int:
    async with uow:
        upserted = await repository.upsert_agencies(uow.session, agencies)
        await uow.commit()
    return upserted


async def list_agencies(uow: UnitOfWork, *, province_code: str | None, regency_code: str | None) -> list[Agency]:
    async with uow:
        return await repository.list_agencies(uow.session, province_code=province_code, regency_code=regency_code)


async def referrals_of_case(principal: Principal, uow: UnitOfWork, case_id: UUID) -> list[Referral]:
    async with uow:
        referrals = await repository.referrals_of_case(uow.session, case_id)
    return [referral for referral in referrals if access.can_view(principal, referral)]


async def accept_referral(principal: Principal, uow: UnitOfWork, referral_id: UUID) -> Referral | None:
    """The principal's agency takes the case on; None if there is no such referral for their agency.
    Raises ReferralTransitionError if it is not in the queue any more."""
    async with uow:
        referral = await repository.get_referral_for_update(uow.session, referral_id)
        if referral is None or not access.acts_for(principal, referral):
            return None
        accepted, event = referral.accept(by=principal.user_id, at=utc_now())
        await repository.save_status(uow.session, accepted)
        uow.emit(event)
        await uow.commit()
    return accepted


async def refer_case(event: CaseReported, uow: UnitOfWork) -> list[Referral]:
    """Refer a reported case: the inbox claim, the referrals and their ``referral.created`` events in one
    transaction. A redelivered event, or another report of a case already referred, refers nobody again."""
    case = CaseToRoute.from_event(event)
    created: list[Referral] = []
    async with uow:
        if not await uow.first_delivery(event, INBOX_CONSUMER):
            log.info("event %s already processed; skipped", event.event_id)
            return []
        candidates = await repository.agencies_serving(
            uow.session, province_code=case.province_code, regency_code=case.regency_code
        )
        now = utc_now()
        for decision in route(case, candidates):
            referral = Referral.create(case, decision, referral_id=uuid4(), created_at=now)
            if await repository.add_referral(uow.session, referral):
                uow.emit(referral.created_event())
                created.append(referral)
        await uow.commit()
    for referral in created:
        log.info("case %s referred to %s by %s", referral.case_id, referral.agency_id, referral.rule)
    return created
