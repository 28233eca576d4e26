"""The hotline operator's use cases: the possible duplicates of a report before it is saved, and raising a case's
priority with a reason."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from uuid import UUID, uuid4

from intake.adapters import repository
from intake.domain.access import PersonalField
from intake.domain.duplicates import fingerprints
from intake.domain.operator_rules import check_raise, in_region
from intake.domain.record import Report
from intake.service_layer.changes import _case_for_change, _stored_case
from shared.auth import Principal
from shared.contracts.base import utc_now
from shared.contracts.vocabulary import LinkReason, Priority
from shared.crypto import FieldCipher
from shared.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Candidate:
    """An earlier case that looks like the report being taken: what tells the operator which one it is, and no
    personal field."""

    case_id: UUID
    case_number: str
    reasons: tuple[LinkReason, ...]
    reported_at: datetime
    priority: str
    status: str


async def possible_duplicates(
    report: Report, principal: Principal, uow: UnitOfWork, linking_key: bytes, *, today: date
) -> list[Candidate]:
    """The cases of the principal's region that intake would link ``report`` to if it were saved now, newest
    first. Read as the service (the operator did not record them), then kept to the region."""
    prints = fingerprints(report, linking_key, reported_on=today)
    found: list[Candidate] = []
    async with uow, uow.acting_as_service():
        matches = await repository.matching_cases(uow.session, prints)
        for (case_id, number), reasons in matches.items():
            record = await repository.get_case(uow.session, case_id, now=utc_now())
            if record is None or not in_region(principal, record.province_code, record.regency_code):
                continue
            found.append(Candidate(case_id, number, tuple(sorted(reasons)), record.reported_at, record.priority,
                                   record.status))
    return found


async def raise_priority(
    case_id: UUID, principal: Principal, uow: UnitOfWork, cipher: FieldCipher, *, priority: Priority, reason: str
) -> UUID:
    """Raise the case to ``priority`` (never lower it), keep the reason encrypted as one of its notes, and tell
    everyone with ``case.updated`` (its facts carry the new priority; ``changed_fields`` says why it came), which
    reporting's audit trail records with who did it."""
    update_id, now = uuid4(), utc_now()
    async with uow:
        record = await _case_for_change(case_id, principal, uow, now=now)
        check_raise(Priority(record.priority), priority)
        async with uow.acting_as_service():
            case = replace(_stored_case(record, cipher), raised_priority=priority)
            await repository.replace_case(uow.session, case, cipher)
            await repository.put_personal(
                uow.session, case_id, {f"notes.{update_id}": (PersonalField.NARRATIVE, reason)}, cipher
            )
            changed = ("priority", "notes")
            await repository.add_update(
                uow.session, update_id=update_id, case_id=case_id, kind="priority_raised", changed=changed,
                by=principal.user_id, at=now, agency=principal.agency_id,
            )
        uow.emit(case.updated_event(update_id=update_id, kind="corrected", changed=changed, by=principal.user_id))
        await uow.commit()
    return update_id
