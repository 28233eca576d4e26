"""An auditor's checks of one case: find it by its number, and verify its hash chain as stored (the records and
the head the auditor may read), naming the first broken record by its position and event id."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from reporting.adapters import audit_chain_store, audit_trail
from reporting.domain import access
from reporting.domain.audit_chain import Finding, verify_chain
from shared.auth import Principal
from shared.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class CaseVerification:
    case_id: UUID
    records_checked: int
    finding: Finding | None  # the first problem; None when the chain is intact


async def verify_case_chain(principal: Principal, case_id: UUID, uow: UnitOfWork) -> CaseVerification | None:
    """The case's chain checked, or None if the principal may not audit that case (outside their region)."""
    async with uow:
        # One snapshot: a record appended between reading the records and the head is not "added past it".
        await uow.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        region = await audit_trail.case_region(uow.session, case_id)
        if region is None or not access.may_audit(principal, *region):
            return None
        entries = await audit_chain_store.records_of_case(uow.session, case_id)
        head = await audit_chain_store.head_of_case(uow.session, case_id)
    records = [entry.record for entry in entries]
    return CaseVerification(case_id, len(records), verify_chain(records, head))


async def find_cases(principal: Principal, case_number: str, uow: UnitOfWork) -> list[tuple[UUID, str]]:
    """The cases of this number the principal may audit (none outside their region)."""
    # No case number holds a control character (and Postgres takes no NUL in a text parameter).
    if not principal.has_role(*access.AUDIT_READERS) or not case_number.isprintable():
        return []
    async with uow:
        return await audit_trail.cases_numbered(uow.session, case_number.strip())
