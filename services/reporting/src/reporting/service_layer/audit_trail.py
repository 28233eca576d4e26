"""The per-case audit trail's use cases: record every event of every case, show a case's trail to its
auditors, and verify every chain."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from reporting import SERVICE
from reporting.adapters import audit_chain_store, audit_trail
from reporting.domain import access
from reporting.domain.audit_chain import Finding, verify_chain
from shared.auth import Principal
from shared.contracts import Event
from shared.unit_of_work import UnitOfWork

# Inbox key of the audit trail's consumer: it sees every event the other consumers see, and records it apart.
AUDIT_TRAIL_CONSUMER = f"{SERVICE}.audit-trail"


async def record_in_audit_trail(event: Event, topic: str, uow: UnitOfWork) -> None:
    """Append ``event`` (read from ``topic``) to its case's chain, once however often it is delivered."""
    async with uow:
        if await uow.first_delivery(event, AUDIT_TRAIL_CONSUMER):
            await audit_chain_store.append(uow.session, event, topic)
        await uow.commit()


async def case_trail(principal: Principal, case_id: UUID, uow: UnitOfWork) -> list[audit_chain_store.TrailEntry] | None:
    """The case's whole trail in order, or None if the principal may not audit that case (outside their region)."""
    async with uow:
        region = await audit_trail.case_region(uow.session, case_id)
        if region is None or not access.may_audit(principal, *region):
            return None
        return await audit_chain_store.records_of_case(uow.session, case_id)


@dataclass(frozen=True)
class VerificationReport:
    records_checked: int
    cases_checked: int
    finding: Finding | None  # the first problem, in case_id order; None when every chain is intact


async def verify_audit_trail(uow: UnitOfWork, *, batch_size: int = 500) -> VerificationReport:
    """Walk every case's chain and stop at the first problem. ``uow`` acts as the service (it reads all)."""
    records = cases = 0
    async with uow:
        # One snapshot for the whole walk: a record appended meanwhile must not look like one past its head.
        await uow.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        async for chain, head in audit_chain_store.chains(uow.session, batch_size=batch_size):
            records, cases = records + len(chain), cases + 1
            if finding := verify_chain(chain, head):
                return VerificationReport(records, cases, finding)
    return VerificationReport(records, cases, None)
