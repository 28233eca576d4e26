"""Later changes to a case: updates (notes, corrections, consent), closing and reopening."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Literal
from uuid import UUID, uuid4

from intake.adapters import grants as grants_store
from intake.adapters import repository
from intake.adapters.repository import CaseRecord
from intake.domain.access import ALL_FIELDS, Grant, PersonalField, Refusal
from intake.domain.model import Case, ClosureReason, ReopenReason
from intake.domain.record import Report, join_personal
from intake.service_layer.errors import CaseConflictError, CaseNotFoundError, NotAllowedError
from intake.service_layer.handlers import Keys, link_duplicates
from shared.auth import Principal
from shared.contracts.base import utc_now
from shared.contracts.vocabulary import Channel, Priority
from shared.crypto import FieldCipher
from shared.referral_access import DEFAULT_FOLLOW_UP
from shared.unit_of_work import UnitOfWork


async def _case_for_change(
    case_id: UUID, principal: Principal, uow: UnitOfWork, *, now: datetime, closing: bool = False,
    reopening: bool = False,
) -> CaseRecord:
    """The case, locked and whole (every personal field and referral), once the caller is known to be allowed
    the change.

    The caller's own read decides whether they see the case and may change it; the lock and the full record are
    then taken as the service, since a caller may change fields their agency type may not read."""
    seen = await repository.get_case(uow.session, case_id, now=now)
    if seen is None:
        raise CaseNotFoundError(case_id)
    if reopening:
        refusal = seen.scope.reopen_refusal(principal)
        if refusal is Refusal.NOT_ALLOWED:
            raise NotAllowedError("case_reopen_not_allowed")
    else:
        refusal = seen.scope.change_refusal(principal, closing=closing)
    _raise_for(refusal, case_id, seen.status)
    async with uow.acting_as_service():
        record = await repository.get_case(uow.session, case_id, now=now, for_update=True)
    if record is None:
        raise CaseNotFoundError(case_id)
    # Checked again under the lock: someone else may have closed or reopened it meanwhile.
    _raise_for(Refusal.CONFLICT if (record.status == "closed") != reopening else None, case_id, record.status)
    return record


def _raise_for(refusal: Refusal | None, case_id: UUID, status: str) -> None:
    if refusal is Refusal.NOT_FOUND:
        raise CaseNotFoundError(case_id)
    if refusal is Refusal.NOT_ALLOWED:
        raise NotAllowedError("case_change_not_allowed")
    if refusal is Refusal.CONFLICT:
        raise CaseConflictError(status, "case_not_open" if status == "closed" else "case_not_closed")


def _stored_case(record: CaseRecord, cipher: FieldCipher) -> Case:
    """The whole case, personal fields included, for the service to apply a change to (never shown)."""
    personal = record.decrypt(cipher, ALL_FIELDS)
    report = join_personal(record.facts, {p: v for p, v in personal.items() if not p.startswith("notes.")})
    raised = Priority(record.priority_raised_to) if record.priority_raised_to else None
    return Case(
        record.case_id, record.case_number, report, Channel(record.channel), record.reported_at, record.recorded_by,
        raised,
    )


async def update_case(
    case_id: UUID,
    principal: Principal,
    uow: UnitOfWork,
    keys: Keys,
    *,
    kind: Literal["information_added", "corrected"],
    changes: dict[str, Any],
    note: str | None,
) -> tuple[UUID, tuple[str, ...]]:
    """Add a note and/or replace parts of the record (``changes``, by top-level field), then tell everyone with
    ``case.updated``. The corrected record must pass every rule of a new report, or pydantic's ValidationError
    says why and nothing changes."""
    update_id, now = uuid4(), utc_now()
    async with uow:
        record = await _case_for_change(case_id, principal, uow, now=now)
        async with uow.acting_as_service():
            case = _stored_case(record, keys.cipher)
            changed: list[str] = []
            if changes:
                corrected = Report.model_validate({**case.report.model_dump(), **changes})
                before = case.report
                changed = [name for name in Report.model_fields if getattr(corrected, name) != getattr(before, name)]
                case = replace(case, report=corrected)
                await repository.replace_case(uow.session, case, keys.cipher)
                await link_duplicates(case, uow, keys, new=False)
                if corrected.consent != before.consent:
                    await _follow_consent(record.scope.grants, corrected, uow)
            if note is not None:
                await repository.put_personal(
                    uow.session, case_id, {f"notes.{update_id}": (PersonalField.NARRATIVE, note)}, keys.cipher
                )
                changed.append("notes")
            await repository.add_update(
                uow.session, update_id=update_id, case_id=case_id, kind=kind, changed=tuple(changed),
                by=principal.user_id, at=now, agency=principal.agency_id,
            )
        uow.emit(case.updated_event(update_id=update_id, kind=kind, changed=tuple(changed), by=principal.user_id))
        await uow.commit()
    return update_id, tuple(changed)


async def _follow_consent(grants: tuple[Grant, ...], report: Report, uow: UnitOfWork) -> None:
    """Consent changed: an agency whose type it no longer covers loses the case, and one it covers again may
    hold it again (while its referral lasts)."""
    consented = frozenset(report.consent.shared_with())
    await grants_store.save_grants(
        uow.session, tuple(changed for grant in grants if (changed := grant.with_consent(consented)) != grant)
    )


async def close_case(
    case_id: UUID, principal: Principal, uow: UnitOfWork, cipher: FieldCipher, *, reason: ClosureReason,
    duplicate_of: UUID | None, follow_up: timedelta = DEFAULT_FOLLOW_UP,
) -> datetime:
    """Close the case: its agencies keep read-only follow-up access, and ``case.closed`` tells everyone."""
    now = utc_now()
    async with uow:
        record = await _case_for_change(case_id, principal, uow, now=now, closing=True)
        async with uow.acting_as_service():
            case = _stored_case(record, cipher)
            await repository.close_case(uow.session, case_id, reason=reason, at=now)
            await grants_store.save_grants(uow.session, tuple(
                changed for grant in record.scope.grants
                if (changed := grant.closed(at=now, follow_up=follow_up)) != grant
            ))
        uow.emit(case.closed_event(reason=reason, duplicate_of=duplicate_of, by=principal.user_id))
        await uow.commit()
    return now


async def reopen_case(
    case_id: UUID, principal: Principal, uow: UnitOfWork, cipher: FieldCipher, *, reason: ReopenReason,
    note: str | None,
) -> UUID:
    """Open a closed case again, keep the note encrypted like any other, and raise ``case.reopened`` for routing
    to refer it again: one transaction. Its agencies keep what they had until routing refers it again."""
    update_id, now = uuid4(), utc_now()
    async with uow:
        record = await _case_for_change(case_id, principal, uow, now=now, reopening=True)
        async with uow.acting_as_service():
            case = _stored_case(record, cipher)
            await repository.reopen_case(uow.session, case_id)
            if note is not None:
                await repository.put_personal(
                    uow.session, case_id, {f"notes.{update_id}": (PersonalField.NARRATIVE, note)}, cipher
                )
            await repository.add_update(
                uow.session, update_id=update_id, case_id=case_id, kind="reopened",
                changed=("status", "notes") if note is not None else ("status",), by=principal.user_id, at=now,
                agency=principal.agency_id,
            )
        uow.emit(case.reopened_event(reason=reason, by=principal.user_id))
        await uow.commit()
    return update_id
