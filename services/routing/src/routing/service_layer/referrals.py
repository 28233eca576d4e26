"""Routing's referral use cases: referring a case, the agencies' moves, re-routing a decline, the SLA timers,
and following the case's closure and reopening."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID, uuid4

from routing import SERVICE
from routing.adapters import referral_list, repository
from routing.adapters import referrals as store
from routing.domain import access
from routing.domain.cases import CaseToRoute
from routing.domain.district import RULE_ESCALATION
from routing.domain.referrals import Referral, ReferralStatus, services_completed
from routing.domain.rules import (
    NATIONAL_FALLBACK,
    NATIONAL_SCOPE,
    ReferralDecision,
    RuleSet,
    escalation_target,
    is_fallback,
    replacement,
    route,
)
from routing.domain.sla import Deadline, SlaPolicy
from routing.rules_data import packaged_rules
from shared.auth import Principal
from shared.contracts import (
    CaseReported,
    CaseServicesCompleted,
    CaseUpdated,
    Event,
    ReferralSlaBreached,
)
from shared.contracts.base import utc_now
from shared.contracts.vocabulary import AgencyType, Need
from shared.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

# The inbox key under which routing records the events it has processed.
INBOX_CONSUMER = SERVICE

Clock = Callable[[], datetime]
Action = Literal["accept", "decline", "start_service", "complete", "revoke"]


class ReferralNotFoundError(LookupError):
    """No such referral, or none the caller may see or act on."""


class NotAllowedError(PermissionError):
    """The caller sees the referral but may not make this move."""


def _ignore(_deadline: Deadline) -> None:
    pass


def _ignore_place(_province: str, _regency: str) -> None:
    pass


@dataclass(frozen=True)
class Routing:
    """What the referral use cases need besides a unit of work; ``on_breach`` is told of each deadline that
    passed unmet, and ``on_fallback`` of each case whose lead is a fallback (its regency has no active lead
    agency), once committed (the app counts both in /metrics)."""

    sla: SlaPolicy
    clock: Clock = utc_now
    on_breach: Callable[[Deadline], None] = _ignore
    on_fallback: Callable[[str, str], None] = _ignore_place


async def national_rule_set(uow: UnitOfWork) -> RuleSet:
    """The national default: its highest stored version, else the packaged rules."""
    stored = await store.stored_rule_set(uow.session, NATIONAL_SCOPE)
    packaged = packaged_rules()
    return stored if stored is not None and stored.version >= packaged.version else packaged


async def rule_set(uow: UnitOfWork, province_code: str | None = None) -> RuleSet:
    """The rules in force for a province: its own highest version, else the national default."""
    if province_code is not None:
        own = await store.stored_rule_set(uow.session, province_code)
        if own is not None:
            return own
    return await national_rule_set(uow)


async def _refer(
    uow: UnitOfWork, routing: Routing, case: CaseToRoute, decisions: tuple[ReferralDecision, ...], version: int,
    *, replaces: UUID | None = None, round_: int = 0, requested_by: str | None = None,
) -> list[Referral]:
    now = routing.clock()
    referrals = [
        Referral.create(
            case, decision, referral_id=uuid4(), created_at=now, rule_set_version=version,
            deadlines=routing.sla.deadlines(case.priority), replaces=replaces, round_=round_,
            requested_by=requested_by,
        )
        for decision in decisions
    ]
    # One round trip for them all, not two each.
    stored = await store.add_referrals(uow.session, referrals, case_facts=referral_list.case_facts(case))
    created = [referral for referral in referrals if referral.referral_id in stored]
    for referral in created:
        uow.emit(referral.created_event())
    return created


async def refer_case(event: CaseReported, uow: UnitOfWork, routing: Routing) -> list[Referral]:
    """Refer a reported case: the inbox claim, the case, the referrals with their SLA timers and their
    ``referral.created`` events in one transaction. A redelivered event refers nobody again."""
    case = CaseToRoute.from_event(event)
    async with uow:
        if not await uow.first_delivery(event, INBOX_CONSUMER):
            log.info("event %s already processed; skipped", event.event_id)
            return []
        await store.save_case(uow.session, case, routing.clock())
        created = await route_case(uow, routing, case, round_=0)
        await uow.commit()
    after_routing(routing, case, created)
    return created


async def route_case(uow: UnitOfWork, routing: Routing, case: CaseToRoute, *, round_: int) -> list[Referral]:
    """Refer ``case`` by its province's rules (else the national default), the lead first."""
    rules = await rule_set(uow, case.province_code)
    agencies = await repository.agencies_serving(
        uow.session, province_code=case.province_code, regency_code=case.regency_code
    )
    return await _refer(uow, routing, case, route(case, agencies, rules), rules.version, round_=round_)


def after_routing(routing: Routing, case: CaseToRoute, created: list[Referral]) -> None:
    for referral in created:
        log.info("case %s referred to %s by %s", referral.case_id, referral.agency_id, referral.rule)
    lead = next((r for r in created if r.is_lead), None)
    if lead is not None and is_fallback(lead.rule):
        # Codes only: the gap is the directory's, and an operator must hear of it the day it opens.
        log.warning("regency %s (province %s) has no active lead agency: a case went to the fallback %s (%s)",
                    case.regency_code, case.province_code, lead.agency_id, lead.rule)
        routing.on_fallback(case.province_code, case.regency_code)


async def record_case_update(event: CaseUpdated, uow: UnitOfWork, routing: Routing) -> None:
    """Keep the latest facts of a case, for re-routing a decline; existing referrals stand."""
    async with uow:
        if await uow.first_delivery(event, INBOX_CONSUMER):
            case = CaseToRoute.from_event(event)
            await store.save_case(uow.session, case, routing.clock())
            await referral_list.update_case_facts(uow.session, case)
        await uow.commit()


async def referrals_of_case(principal: Principal, uow: UnitOfWork, case_id: UUID) -> list[Referral]:
    async with uow:
        referrals = await store.referrals_of_case(uow.session, case_id)
    return [referral for referral in referrals if access.can_view(principal, referral)]


async def get_referral(principal: Principal, uow: UnitOfWork, referral_id: UUID) -> Referral | None:
    """The referral, if ``principal`` may see it (its agency's people always, whatever its status)."""
    async with uow:
        referral = await store.get_referral(uow.session, referral_id)
    return referral if referral is not None and access.can_view(principal, referral) else None


async def move(
    principal: Principal, uow: UnitOfWork, routing: Routing, referral_id: UUID, action: Action, *,
    reason: str | None = None, services: tuple[Need, ...] = (),
) -> Referral:
    """An agency's move on its referral (accept, decline, start service, complete), or a revoke by the case
    manager or the province. Raises ReferralNotFoundError, NotAllowedError, or ReferralTransitionError with the
    current status (a referral that ended, or whose case is closed, takes no move). A decline re-routes in the
    same transaction; the last referral done completes the case."""
    now = routing.clock()
    async with uow:
        seen = await store.get_referral(uow.session, referral_id)
        if seen is None or not access.can_view(principal, seen):
            raise ReferralNotFoundError(referral_id)
        async with uow.acting_as_service():
            if not access.may(principal, action, seen):
                raise NotAllowedError(f"you may not {action.replace('_', ' ')} this referral")
            # The case first, then the referral: the order a closure locks them in, so the two take turns.
            state = await store.case_state(uow.session, seen.case_id, for_update=True)
            referral = await store.get_referral(uow.session, referral_id, for_update=True)
            assert referral is not None  # seen above, and referrals are never deleted
            siblings = await store.referrals_of_case(uow.session, seen.case_id, round_=referral.round)
            moved, event = _make(referral, action, by=principal.user_id, at=now, reason=reason, services=services)
            await store.save_referral(uow.session, moved)
            uow.emit(event)
            current = state is not None and not state.closed and state.round == moved.round
            if moved.status is ReferralStatus.DECLINED and current:
                assert state is not None
                await _reroute(uow, routing, state.case, moved, siblings)
            await _complete_case_if_done(uow, moved.case_id, moved.round, now)
        await uow.commit()
    return moved


def _make(
    referral: Referral, action: Action, *, by: str, at: datetime, reason: str | None, services: tuple[Need, ...]
) -> tuple[Referral, Event]:
    if action == "accept":
        return referral.accept(by=by, at=at)
    if action == "decline":
        return referral.decline(by=by, at=at, reason=reason or "")
    if action == "start_service":
        return referral.start_service(by=by, at=at)
    if action == "complete":
        return referral.complete(by=by, at=at, services=services)
    return referral.revoke(by=by, at=at, reason=reason or "")


async def _reroute(
    uow: UnitOfWork, routing: Routing, case: CaseToRoute, declined: Referral, siblings: list[Referral]
) -> None:
    rules = await rule_set(uow, case.province_code)
    agencies = await repository.agencies_serving(
        uow.session, province_code=case.province_code, regency_code=case.regency_code
    )
    excluded = frozenset(r.agency_id for r in siblings) | {declined.agency_id}
    decision = replacement(
        case, (declined.rule, AgencyType(declined.agency_type), declined.is_lead), agencies, rules, excluded=excluded
    )
    if decision is None:
        log.info("no other agency for declined referral %s (rule %s)", declined.referral_id, declined.rule)
        return
    await _refer(uow, routing, case, (decision,), rules.version, replaces=declined.referral_id,
                 round_=declined.round)


async def _complete_case_if_done(uow: UnitOfWork, case_id: UUID, round_: int, now: datetime) -> None:
    referrals = await store.referrals_of_case(uow.session, case_id, round_=round_)
    given = services_completed(referrals)
    if given is not None and await store.mark_services_completed(uow.session, case_id, now):
        uow.emit(CaseServicesCompleted(case_id=case_id, services_given=given, referral_count=len(referrals)))


# -- SLA timers -----------------------------------------------------------------------------------------------

TIMER_BATCH = 100


async def fire_due_timers(uow: UnitOfWork, routing: Routing) -> int:
    """Fire the timers that are due: a met deadline closes quietly; an unmet one emits ``referral.sla_breached``
    and escalates up the chain, with a referral to the next agency when it holds none yet. A timer of a closed
    case is cancelled (the closure cancels them too; this covers one claimed while the case closed). One
    transaction per batch; with SKIP LOCKED two instances never fire the same timer. Returns how many
    breached."""
    now = routing.clock()
    breached: list[Deadline] = []
    async with uow:
        for referral_id, deadline, due_at in await store.claim_due_timers(uow.session, now, limit=TIMER_BATCH):
            referral = await store.get_referral(uow.session, referral_id)
            if referral is None or referral.met(deadline):
                await store.close_timer(uow.session, referral_id, deadline, outcome="met", at=now)
                continue
            # The case's lock, or none if a closure holds it: that timer is left for the closure to cancel.
            state = await store.case_state(uow.session, referral.case_id, for_update=True, skip_locked=True)
            if state is None and await store.case_state(uow.session, referral.case_id) is not None:
                continue
            if state is not None and (state.closed or state.round != referral.round):
                await store.close_timer(uow.session, referral_id, deadline, outcome="cancelled", at=now)
                continue
            await store.close_timer(uow.session, referral_id, deadline, outcome="breached", at=now)
            await _escalate(uow, routing, referral, deadline, due_at, case=None if state is None else state.case)
            breached.append(deadline)
        await uow.commit()
    for deadline in breached:
        routing.on_breach(deadline)
    return len(breached)


async def _escalate(
    uow: UnitOfWork, routing: Routing, referral: Referral, deadline: Deadline, due_at: datetime, *,
    case: CaseToRoute | None,
) -> None:
    siblings = await store.referrals_of_case(uow.session, referral.case_id, round_=referral.round)
    target = None
    if case is not None:
        agencies = await repository.agencies_serving(
            uow.session, province_code=case.province_code, regency_code=case.regency_code
        )
        declined = frozenset(r.agency_id for r in siblings if r.status is ReferralStatus.DECLINED)
        target = escalation_target(case, referral.agency_id, agencies, declined=declined)
    uow.emit(
        ReferralSlaBreached(
            case_id=referral.case_id, referral_id=referral.referral_id, agency_id=referral.agency_id,
            deadline=deadline, due_at=due_at, escalated_to=target.agency_id if target else None,
            **referral.region,
        )
    )
    if case is None or target is None:
        return
    if target.agency_id in {r.agency_id for r in siblings}:
        return  # already holds the case: the breach event tells them
    why = (f"Escalated after {referral.agency_name} ({referral.agency_id}) missed the {deadline.replace('_', ' ')} "
           f"deadline of {due_at.isoformat()}; next in the chain district UPTD PPA, district Dinas, province UPTD "
           f"PPA, {NATIONAL_FALLBACK.alternate_name}.")
    decision = ReferralDecision(target, RULE_ESCALATION, why, is_lead=False)
    version = (await rule_set(uow, case.province_code)).version
    await _refer(uow, routing, case, (decision,), version, replaces=referral.referral_id, round_=referral.round)
