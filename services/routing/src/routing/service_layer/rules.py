"""Reading and replacing the routing rules."""

from __future__ import annotations

from routing.adapters import referrals as store
from routing.domain.rules import RuleSet
from routing.service_layer.referrals import rule_set
from shared.contracts.base import utc_now
from shared.unit_of_work import UnitOfWork


class VersionConflictError(ValueError):
    def __init__(self, in_force: int, offered: int) -> None:
        super().__init__(f"the rules in force are version {in_force}; a new version must be {in_force + 1}")
        self.in_force = in_force
        self.offered = offered


async def rules_in_force(uow: UnitOfWork) -> RuleSet:
    async with uow:
        return await rule_set(uow)


async def replace_rules(uow: UnitOfWork, rules: RuleSet, *, by: str) -> RuleSet:
    """Store ``rules`` as the next version. Two editors racing for the same version: one wins, the other gets
    VersionConflictError."""
    async with uow:
        in_force = await rule_set(uow)
        if rules.version != in_force.version + 1 or not await store.add_rule_set(
            uow.session, rules, by=by, at=utc_now()
        ):
            raise VersionConflictError(in_force.version, rules.version)
        await uow.commit()
    return rules
