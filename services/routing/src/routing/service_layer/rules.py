"""Reading, previewing and replacing the routing rules: the national default, and each province's own."""

from __future__ import annotations

from routing.adapters import referrals as store
from routing.adapters import repository
from routing.domain import access
from routing.domain.cases import CaseToRoute
from routing.domain.rules import NATIONAL_SCOPE, ReferralDecision, RuleSet, route
from routing.service_layer.referrals import national_rule_set, rule_set
from shared.auth import Principal
from shared.contracts.base import utc_now
from shared.unit_of_work import UnitOfWork


class VersionConflictError(ValueError):
    def __init__(self, in_force: int, offered: int) -> None:
        super().__init__(f"the rules in force are version {in_force}; a new version must be {in_force + 1}")
        self.in_force = in_force
        self.offered = offered


class OutsideProvinceError(PermissionError):
    """The rules of another province, or the national default for anyone but a national admin."""


async def rules_in_force(uow: UnitOfWork, scope: str = NATIONAL_SCOPE) -> tuple[RuleSet, str]:
    """The rules in force in ``scope`` (national, or a province code), and whose they are: the province's own,
    else the national default (``national``)."""
    async with uow:
        if scope == NATIONAL_SCOPE:
            return await national_rule_set(uow), NATIONAL_SCOPE
        own = await store.stored_rule_set(uow.session, scope)
        return (own, scope) if own is not None else (await rule_set(uow), NATIONAL_SCOPE)


async def replace_rules(uow: UnitOfWork, rules: RuleSet, *, by: Principal, scope: str = NATIONAL_SCOPE) -> RuleSet:
    """Store ``rules`` as the next version of ``scope``: one above the rules in force there (a province's first
    own version is one above the national default it used until then). Two editors racing for the same version:
    one wins, the other gets VersionConflictError. OutsideProvinceError for another province's rules, or the
    national default for anyone but a national admin (row-level security refuses them too, 0005)."""
    if not access.may_edit_rules(by, scope):
        raise OutsideProvinceError(scope)
    async with uow:
        in_force = await (national_rule_set(uow) if scope == NATIONAL_SCOPE else rule_set(uow, scope))
        if rules.version != in_force.version + 1 or not await store.add_rule_set(
            uow.session, rules, by=by.user_id, at=utc_now(), scope=scope
        ):
            raise VersionConflictError(in_force.version, rules.version)
        await uow.commit()
    return rules


async def preview(
    uow: UnitOfWork, candidate: RuleSet | None, case: CaseToRoute, *, by: Principal, scope: str,
) -> tuple[RuleSet, tuple[ReferralDecision, ...]]:
    """Where ``case`` would go under ``candidate`` (None: the rules in force in ``scope``) with the directory as it
    is now; nothing is stored. OutsideProvinceError for anyone who may not edit ``scope``'s rules."""
    if not access.may_edit_rules(by, scope):
        raise OutsideProvinceError(scope)
    async with uow:
        rules = candidate if candidate is not None else await rule_set(uow, scope)
        agencies = await repository.agencies_serving(
            uow.session, province_code=case.province_code, regency_code=case.regency_code)
    return rules, route(case, agencies, rules)
