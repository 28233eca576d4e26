"""Follow-up use cases: set one, list them, mark one done, and announce those that fall due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from routing.adapters import follow_ups as store
from routing.adapters import referrals as referral_store
from routing.domain import access
from routing.domain.follow_ups import FollowUp, agency_access, check_read, check_write
from routing.domain.referrals import Referral
from routing.service_layer.referrals import ReferralNotFoundError, Routing
from shared.auth import Principal
from shared.contracts import ReferralFollowUpDue
from shared.crypto import FieldCipher
from shared.unit_of_work import UnitOfWork


class FollowUpNotFoundError(LookupError):
    """No such follow-up on this referral."""


@dataclass(frozen=True)
class FollowUpContext:
    """What the follow-up use cases need besides a unit of work."""

    routing: Routing
    cipher: FieldCipher
    follow_up_period: timedelta


async def _referral(uow: UnitOfWork, principal: Principal, referral_id: UUID) -> Referral:
    referral = await referral_store.get_referral(uow.session, referral_id)
    if referral is None or not access.can_view(principal, referral):
        raise ReferralNotFoundError(referral_id)
    return referral


async def add_follow_up(
    principal: Principal, uow: UnitOfWork, context: FollowUpContext, referral_id: UUID, *, due_at: datetime,
    note: str,
) -> FollowUp:
    now = context.routing.clock()
    async with uow:
        referral = await _referral(uow, principal, referral_id)
        check_write(principal, referral, now, follow_up=context.follow_up_period)
        follow_up = FollowUp(uuid4(), referral_id, referral.agency_id, due_at, note, principal.user_id, now)
        await store.add(uow.session, follow_up, cipher=context.cipher)
        await uow.commit()
    return follow_up


async def follow_ups(
    principal: Principal, uow: UnitOfWork, context: FollowUpContext, referral_id: UUID
) -> list[FollowUp]:
    async with uow:
        referral = await _referral(uow, principal, referral_id)
        check_read(principal, referral, context.routing.clock(), follow_up=context.follow_up_period)
        return await store.of_referral(uow.session, referral_id, cipher=context.cipher)


async def mark_done(
    principal: Principal, uow: UnitOfWork, context: FollowUpContext, referral_id: UUID, follow_up_id: UUID
) -> FollowUp:
    now = context.routing.clock()
    async with uow:
        referral = await _referral(uow, principal, referral_id)
        check_write(principal, referral, now, follow_up=context.follow_up_period)
        follow_up = await store.get(uow.session, referral_id, follow_up_id, cipher=context.cipher)
        if follow_up is None:
            raise FollowUpNotFoundError(follow_up_id)
        done = follow_up.mark_done(by=principal.user_id, at=now)
        if done is not follow_up:
            await store.save_done(uow.session, done)
        await uow.commit()
    return done


TIMER_BATCH = 100


async def announce_due_follow_ups(uow: UnitOfWork, routing: Routing, *, follow_up_period: timedelta) -> int:
    """Raise ``referral.follow_up_due`` for each follow-up that fell due undone, once (a durable timer, as the
    SLA's: claimed with SKIP LOCKED, marked in the same transaction as its event). One whose referral's work is
    over is closed without a word. Returns how many were claimed (a full batch may leave more)."""
    now = routing.clock()
    async with uow:
        due = await store.claim_due(uow.session, now, limit=TIMER_BATCH)
        for follow_up_id, referral_id, agency_id, due_at in due:
            referral = await referral_store.get_referral(uow.session, referral_id)
            if referral is not None and agency_access(referral, now, follow_up=follow_up_period).may_write:
                uow.emit(ReferralFollowUpDue(case_id=referral.case_id, referral_id=referral_id, agency_id=agency_id,
                                             follow_up_id=follow_up_id, due_at=due_at, **referral.region))
            await store.mark_fired(uow.session, follow_up_id, now)
        await uow.commit()
    return len(due)
