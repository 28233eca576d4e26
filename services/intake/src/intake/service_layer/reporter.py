"""The reporter's side of a public report: the one-time code given with it, the status page it opens and the
information the reporter adds to the case as a note.

The number and the code are checked together, as the service (the public can read no case): a wrong number and
a wrong code come out the same, ``None``, after the same scrypt work. Scrypt runs in a worker thread, not on the
event loop, which keeps answering other requests meanwhile."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from uuid import uuid4

from intake.adapters import reporter_codes, repository
from intake.domain.access import PersonalField
from intake.domain.model import Case
from intake.domain.record import Report
from intake.domain.reporter_access import (
    ReportStage,
    code_matches,
    hash_code,
    new_code,
    stage_of,
    unknown_number_hash,
)
from intake.service_layer import handlers
from intake.service_layer.changes import _stored_case
from intake.service_layer.errors import CaseConflictError
from intake.service_layer.handlers import Keys
from shared.contracts.base import utc_now
from shared.contracts.vocabulary import Channel
from shared.unit_of_work import UnitOfWork

# The author of a note the reporter added, in the case's updates and its case.updated event: worded to look like
# no user id, so that the notes API and the agencies tell it apart from staff (``from_reporter``).
REPORTER_AUTHOR = "reporter (public form)"


@dataclass(frozen=True)
class PublicReport:
    case: Case
    code: str  # shown once, to the reporter; only its hash is kept


async def submit_public_report(report: Report, uow: UnitOfWork, keys: Keys) -> PublicReport:
    """Open the case of a report from the public, with its one-time code."""
    code = new_code()
    code_hash = await asyncio.to_thread(hash_code, code)
    case = await handlers.submit_report(report, Channel.WEB, uow, keys, recorded_by=None, reporter_code_hash=code_hash)
    return PublicReport(case, code)


async def _matching_case(case_number: str, code: str, uow: UnitOfWork) -> reporter_codes.CodedCase | None:
    async with uow.acting_as_service():
        found = await reporter_codes.case_by_number(uow.session, case_number.strip().upper())
    matches = await asyncio.to_thread(code_matches, code, found.code_hash if found else unknown_number_hash())
    return found if found is not None and matches else None


async def report_stage(case_number: str, code: str, uow: UnitOfWork) -> ReportStage | None:
    """How far the report has come, or None when the number and code do not belong together."""
    async with uow:
        found = await _matching_case(case_number, code, uow)
        if found is None:
            return None
        async with uow.acting_as_service():
            return stage_of(found.status, await reporter_codes.referral_stages(uow.session, found.case_id))


async def add_reporter_information(
    case_number: str, code: str, information: str, uow: UnitOfWork, keys: Keys
) -> ReportStage | None:
    """Add what the reporter tells us to the case as a note (encrypted like every note, read by the agencies
    the case is referred to), tell everyone with ``case.updated``, and say the report's stage. None when the
    number and code do not belong together; a closed case takes no more information (CaseConflictError)."""
    update_id, now = uuid4(), utc_now()
    async with uow:
        found = await _matching_case(case_number, code, uow)
        if found is None:
            return None
        async with uow.acting_as_service():
            record = await repository.get_case(uow.session, found.case_id, now=now, for_update=True)
            if record is None:  # the number was just seen: only a concurrent deletion, which nobody does
                return None
            if record.status == "closed":
                raise CaseConflictError(record.status, "case_not_open")
            case = _stored_case(record, keys.cipher)
            path = f"notes.{update_id}"
            await repository.put_personal(
                uow.session, record.case_id, {path: (PersonalField.NARRATIVE, information)}, keys.cipher
            )
            await repository.add_update(
                uow.session, update_id=update_id, case_id=record.case_id, kind="information_added",
                changed=("notes",), by=REPORTER_AUTHOR, at=now,
            )
            stages = await reporter_codes.referral_stages(uow.session, record.case_id)
        uow.emit(case.updated_event(update_id=update_id, kind="information_added", changed=("notes",),
                                    by=REPORTER_AUTHOR))
        await uow.commit()
    return stage_of(record.status, stages)
