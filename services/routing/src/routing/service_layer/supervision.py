"""The district supervisor's use cases: the district's open referrals and each agency's workload; a manual
referral; handing the case's lead to another case manager agency. The province admin may do the same for their
province."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from uuid import UUID

from routing.adapters import district as district_store
from routing.adapters import referrals as store
from routing.adapters import repository
from routing.domain import district, supervision
from routing.domain.agencies import Agency
from routing.domain.referral_list import Scope, ScopeKind
from routing.domain.referrals import Referral
from routing.service_layer.referrals import ReferralNotFoundError, Routing, _refer, rule_set
from shared.auth import Principal, Role
from shared.unit_of_work import UnitOfWork

SUPERVISORS = (Role.DISTRICT_SUPERVISOR, Role.PROVINCE_ADMIN)


class NotSupervisedError(PermissionError):
    """The caller oversees no region (or their token lacks its code)."""


def scope_of(principal: Principal) -> Scope:
    if principal.has_role(Role.DISTRICT_SUPERVISOR) and principal.regency_code:
        return Scope(ScopeKind.REGENCY, principal.regency_code)
    if principal.has_role(Role.PROVINCE_ADMIN) and principal.province_code:
        return Scope(ScopeKind.PROVINCE, principal.province_code)
    raise NotSupervisedError("you oversee no region")


async def _district(principal: Principal, uow: UnitOfWork) -> list[district.DistrictReferral]:
    scope = scope_of(principal)
    async with uow:
        items = await district_store.referrals(uow.session, scope)
        async with uow.acting_as_service():  # only the ids the caller was allowed to read above
            breached = await district_store.breached(
                uow.session, [i.referral_id for i in items if not i.status.is_done])
    return [replace(i, breached=i.referral_id in breached) for i in items]


async def district_referrals(principal: Principal, uow: UnitOfWork, now: datetime) -> list[district.DistrictReferral]:
    """The open referrals of the caller's region, overdue and escalated first."""
    return district.district_list(await _district(principal, uow), now)


async def workload(principal: Principal, uow: UnitOfWork, now: datetime) -> list[district.AgencyLoad]:
    return district.workload(await _district(principal, uow), now)


async def refer_manually(
    principal: Principal, uow: UnitOfWork, routing: Routing, case_id: UUID, agency_id: str, *, reason: str,
) -> Referral:
    """Refer the case to ``agency_id`` by hand; ``referral.created`` marked with the rule ``manual/supervisor``
    and who asked. Raises ReferralNotFoundError (a case the caller does not oversee) or SupervisionError."""
    async with uow:
        await _overseen_case(principal, uow, case_id)
        async with uow.acting_as_service():
            state = await store.case_state(uow.session, case_id, for_update=True)
            assert state is not None
            _refuse_closed(state.closed)
            referrals = await store.referrals_of_case(uow.session, case_id, round_=state.round)
            agency = await _agency(uow, agency_id)
            decision = supervision.manual_referral(state.case, agency, referrals, reason=reason)
            version = (await rule_set(uow, state.case.province_code)).version
            created = await _refer(uow, routing, state.case, (decision,), version, round_=state.round,
                                   requested_by=principal.user_id)
            _made(created)
        await uow.commit()
    return created[0]


async def hand_over_lead(
    principal: Principal, uow: UnitOfWork, routing: Routing, case_id: UUID, agency_id: str, *, reason: str,
) -> Referral:
    """The old lead's referral ends (revoked, ``lead_handed_over``) and the new lead's begins, replacing it, in
    one transaction; intake's access follows both events."""
    now = routing.clock()
    async with uow:
        await _overseen_case(principal, uow, case_id)
        async with uow.acting_as_service():
            state = await store.case_state(uow.session, case_id, for_update=True)
            assert state is not None
            _refuse_closed(state.closed)
            referrals = await store.referrals_of_case(uow.session, case_id, round_=state.round, for_update=True)
            agency = await _agency(uow, agency_id)
            old_lead, decision = supervision.lead_handover(state.case, agency, referrals, reason=reason)
            ended, event = old_lead.revoke(by=principal.user_id, at=now, reason=supervision.LEAD_HANDED_OVER)
            await store.save_referral(uow.session, ended)
            uow.emit(event)
            version = (await rule_set(uow, state.case.province_code)).version
            created = await _refer(uow, routing, state.case, (decision,), version, round_=state.round,
                                   replaces=old_lead.referral_id, requested_by=principal.user_id)
            _made(created)
        await uow.commit()
    return created[0]


async def _overseen_case(principal: Principal, uow: UnitOfWork, case_id: UUID) -> store.CaseState:
    """The case, if the caller oversees its region; else ReferralNotFoundError (a case not overseen answers as
    one that does not exist)."""
    async with uow.acting_as_service():
        state = await store.case_state(uow.session, case_id)
    if state is None or not principal.has_role(*SUPERVISORS) or not principal.supervises(
            state.case.province_code, state.case.regency_code):
        raise ReferralNotFoundError(case_id)
    return state


async def _agency(uow: UnitOfWork, agency_id: str) -> Agency | None:
    return await repository.get_agency(uow.session, agency_id)


def _made(created: list[Referral]) -> None:
    """The case's lock makes this unreachable in practice: the one referral per agency and round was there."""
    if not created:
        raise supervision.SupervisionError(
            "agency_holds_case", "The agency already holds a referral of this case.",
            "Lembaga ini sudah memegang rujukan kasus ini.", conflict=True)


def _refuse_closed(closed: bool) -> None:
    if closed:
        raise supervision.SupervisionError(
            "case_closed", "The case is closed: reopen it before referring it again.",
            "Kasus ini sudah ditutup: buka kembali sebelum merujuknya lagi.", conflict=True)

