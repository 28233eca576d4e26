"""Intake's use cases."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID, uuid4

from intake import SERVICE
from intake.adapters import repository
from intake.adapters.repository import CaseRecord
from intake.domain.access import PersonalField
from intake.domain.model import Case, Report, case_number
from shared.auth import Principal
from shared.contracts import PersonalDataRead, ReferralCreated
from shared.contracts.base import utc_now
from shared.crypto import FieldCipher
from shared.unit_of_work import UnitOfWork

# The inbox key under which intake records the events it has processed.
INBOX_CONSUMER = SERVICE


async def submit_report(report: Report, uow: UnitOfWork, cipher: FieldCipher) -> Case:
    """Open a case for ``report``: the case, its number and its ``case.reported`` event in one transaction."""
    reported_at = utc_now()
    async with uow:
        sequence = await repository.next_case_sequence(uow.session, report.regency_code, reported_at.year)
        case = Case(uuid4(), case_number(report.regency_code, reported_at.year, sequence), report, reported_at)
        await repository.add_case(uow.session, case, cipher)
        uow.emit(case.reported_event())
        await uow.commit()
    return case


@dataclass(frozen=True)
class CaseView:
    """A case as one principal may see it: ``personal`` holds only the fields they may read, decrypted."""

    record: CaseRecord
    personal: dict[PersonalField, str]


async def read_case(
    case_id: UUID, principal: Principal, uow: UnitOfWork, cipher: FieldCipher, *, endpoint: str
) -> CaseView | None:
    """The case as ``principal`` may see it, or None if they may not see it at all. Showing personal fields
    and recording the ``personal_data.read`` audit event are one transaction: no audit, no data."""
    async with uow:
        record = await repository.get_case(uow.session, case_id)
        if record is None or not record.scope.can_view(principal):
            return None
        readable = record.scope.readable_fields(principal)
        personal = {
            name: cipher.decrypt(ciphertext, case_id=case_id, field=name.value)
            for name, ciphertext in record.ciphertexts.items()
            if name in readable
        }
        if personal:
            uow.emit(
                PersonalDataRead(
                    case_id=case_id,
                    actor_user_id=principal.user_id,
                    actor_agency_id=principal.agency_id,
                    actor_roles=tuple(sorted(principal.roles)),
                    fields=tuple(sorted(personal)),
                    endpoint=endpoint,
                )
            )
            await uow.commit()
    return CaseView(record, personal)


async def list_cases(principal: Principal, uow: UnitOfWork, *, limit: int) -> list[CaseRecord]:
    async with uow:
        records = await repository.list_cases(uow.session, limit=limit)
    return [record for record in records if record.scope.can_view(principal)]


async def record_referral(event: ReferralCreated, uow: UnitOfWork) -> None:
    """A referral lets the agency read the case; recorded once however often the event is delivered."""
    async with uow:
        if await uow.first_delivery(event, INBOX_CONSUMER):
            await repository.grant_access(uow.session, event)
        await uow.commit()
