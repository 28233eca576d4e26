"""Routing follows the case: its closure ends the clocks of its referrals, its reopening refers it again."""

from __future__ import annotations

import logging

from routing.adapters import referrals as store
from routing.domain.referrals import Referral
from routing.domain.referrals import close_case as close_referrals
from routing.service_layer.referrals import INBOX_CONSUMER, Routing, after_routing, route_case
from shared.contracts import CaseClosed, CaseReopened
from shared.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


async def close_case(event: CaseClosed, uow: UnitOfWork, routing: Routing) -> list[Referral]:
    """The case is closed: each of its open referrals is revoked (reason ``case_closed``, by who closed it), so
    its agency is told, and every clock of the case stops; nothing of it is escalated or re-routed from now on.
    Returns the referrals revoked."""
    now = routing.clock()
    async with uow:
        if not await uow.first_delivery(event, INBOX_CONSUMER):
            return []
        state = await store.case_state(uow.session, event.case_id, for_update=True)
        if state is None:
            log.warning("closed case %s is unknown to routing; nothing to stop", event.case_id)
            await uow.commit()
            return []
        await store.close_case(uow.session, event.case_id, now)
        referrals = await store.referrals_of_case(uow.session, event.case_id, for_update=True)
        revoked = []
        for moved, revocation in close_referrals(referrals, by=event.closed_by, at=now):
            await store.save_referral(uow.session, moved)
            uow.emit(revocation)
            revoked.append(moved)
        await store.cancel_timers(uow.session, [r.referral_id for r in referrals], at=now)
        await uow.commit()
    log.info("case %s closed: %d referral(s) revoked, its clocks stopped", event.case_id, len(revoked))
    return revoked


async def reopen_case(event: CaseReopened, uow: UnitOfWork, routing: Routing) -> list[Referral]:
    """A closed case is open again: referred anew by its province's rules, the lead first, from the facts routing
    keeps of it, with new SLA clocks (the next round: the same agencies may be referred again)."""
    async with uow:
        if not await uow.first_delivery(event, INBOX_CONSUMER):
            return []
        state = await store.case_state(uow.session, event.case_id, for_update=True)
        if state is None or not state.closed:
            log.warning("reopened case %s is not closed in routing (%s); not referred again", event.case_id,
                        "unknown" if state is None else "open")
            await uow.commit()
            return []
        round_ = await store.reopen_case(uow.session, event.case_id)
        created = await route_case(uow, routing, state.case, round_=round_)
        await uow.commit()
    after_routing(routing, state.case, created)
    return created
