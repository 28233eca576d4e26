"""Intake's use cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from uuid import UUID, uuid4

from intake import SERVICE
from intake.adapters import repository
from intake.adapters.repository import CaseRecord
from intake.domain.access import ALL_FIELDS, Grant, PersonalField, Refusal
from intake.domain.duplicates import fingerprints
from intake.domain.model import Case, ClosureReason, ReopenReason, case_number
from intake.domain.record import Report, join_personal
from intake.service_layer.drafts import lock_open_draft
from intake.service_layer.errors import CaseConflictError, CaseNotFoundError, NotAllowedError
from shared.auth import Principal
from shared.contracts import (
    CaseLinked,
    PersonalDataRead,
    ReferralAccepted,
    ReferralCompleted,
    ReferralCreated,
    ReferralDeclined,
    ReferralRevoked,
    ReferralServiceStarted,
)
from shared.contracts.base import utc_now
from shared.contracts.vocabulary import Channel
from shared.crypto import FieldCipher
from shared.referral_access import DEFAULT_FOLLOW_UP
from shared.unit_of_work import UnitOfWork

# The inbox key under which intake records the events it has processed.
INBOX_CONSUMER = SERVICE

# Every referral event that changes what its agency may do with the case (shared.referral_access).
ReferralEvent = (
    ReferralCreated | ReferralAccepted | ReferralServiceStarted | ReferralCompleted | ReferralDeclined | ReferralRevoked
)


@dataclass(frozen=True)
class Keys:
    """What intake needs to protect and compare personal data."""

    cipher: FieldCipher
    linking_key: bytes


async def submit_report(
    report: Report, channel: Channel | None, uow: UnitOfWork, keys: Keys, *, recorded_by: str | None,
    draft_id: UUID | None = None,
) -> Case:
    """Open a case for ``report``: the case, its number, its triage, its links to earlier reports of the same
    incident and its events, in one transaction. Completing a gateway draft marks it done in the same one, and
    the case takes the draft's channel."""
    reported_at = utc_now()
    async with uow:
        if draft_id is not None:
            channel = Channel((await lock_open_draft(draft_id, uow)).gateway)
        if channel is None:
            raise ValueError("a report needs its channel, or the draft it completes")
        sequence = await repository.next_case_sequence(uow.session, report.location.regency_code, reported_at.year)
        number = case_number(report.location.regency_code, reported_at.year, sequence)
        # The record keeps the channel it actually came by, whatever the body said.
        report = report.model_copy(update={"channel": channel})
        # A case recorded from a draft keeps the draft's id, so the reads of the draft are in its audit trail.
        case = Case(draft_id or uuid4(), number, report, channel, reported_at, recorded_by)
        await repository.add_case(uow.session, case, keys.cipher)
        uow.emit(case.reported_event())
        await _link_duplicates(case, uow, keys, new=True)
        if draft_id is not None:
            await repository.complete_draft(uow.session, draft_id, case_id=case.case_id, by=recorded_by or "")
        await uow.commit()
    return case


async def _link_duplicates(case: Case, uow: UnitOfWork, keys: Keys, *, new: bool) -> None:
    """Link ``case`` to earlier cases that look like the same incident; never drop either. A ``new`` case (opened
    in this transaction) has no fingerprints yet, so none are deleted first: one round trip fewer per report."""
    prints = fingerprints(case.report, keys.linking_key, reported_on=case.reported_at.date())
    async with uow.acting_as_service():
        matches = await repository.matching_cases(uow.session, prints)
        if new:
            await repository.add_fingerprints(uow.session, case.case_id, prints)
        else:
            await repository.replace_fingerprints(uow.session, case.case_id, prints)
        for (other_id, other_number), reasons in matches.items():
            if other_id == case.case_id:
                continue
            ordered = tuple(sorted(reasons))
            await repository.add_link(uow.session, case.case_id, other_id, [r.value for r in ordered], utc_now())
            uow.emit(
                CaseLinked(
                    case_id=case.case_id, linked_case_id=other_id, case_number=case.case_number,
                    linked_case_number=other_number, reasons=ordered,
                )
            )


@dataclass(frozen=True)
class CaseView:
    """A case as one principal may see it: ``personal`` holds only the fields they may read, decrypted, by path."""

    record: CaseRecord
    personal: dict[str, str]


async def read_case(
    case_id: UUID, principal: Principal, uow: UnitOfWork, cipher: FieldCipher, *, endpoint: str
) -> CaseView | None:
    """The case as ``principal`` may see it, or None if they may not see it at all. Showing personal fields
    and recording the ``personal_data.read`` audit event are one transaction: no audit, no data."""
    async with uow:
        record = await repository.get_case(uow.session, case_id, now=utc_now())
        if record is None or not record.scope.can_view(principal):
            return None
        personal = record.decrypt(cipher, record.scope.readable_fields(principal))
        if personal:
            kinds = {record.ciphertexts[path][0] for path in personal}
            uow.emit(
                PersonalDataRead(
                    case_id=case_id,
                    actor_user_id=principal.user_id,
                    actor_agency_id=principal.agency_id,
                    actor_roles=tuple(sorted(principal.roles)),
                    fields=tuple(sorted(kinds)),
                    endpoint=endpoint,
                )
            )
            await uow.commit()
    return CaseView(record, personal)


async def list_cases(principal: Principal, uow: UnitOfWork, *, limit: int) -> list[CaseRecord]:
    async with uow:
        records = await repository.list_cases(uow.session, limit=limit, now=utc_now())
    return [record for record in records if record.scope.can_view(principal)]


async def record_referral(
    event: ReferralEvent, uow: UnitOfWork, *, follow_up: timedelta = DEFAULT_FOLLOW_UP
) -> None:
    """A referral's event changes what its agency may do with the case (``Grant``); recorded once however
    often the event is delivered. An event about a referral intake never heard of changes nothing."""
    async with uow:
        if await uow.first_delivery(event, INBOX_CONSUMER):
            if isinstance(event, ReferralCreated):
                referred = Grant.referred(
                    referral_id=event.referral_id, agency_id=event.agency_id, agency_type=event.agency_type,
                    is_lead=event.is_lead, at=event.occurred_at,
                    consented_types=await repository.case_consent(uow.session, event.case_id),
                )
                await repository.add_grant(uow.session, event.case_id, referred, referred_at=event.occurred_at)
            elif (grant := await repository.get_grant(uow.session, event.referral_id)) is not None:
                reason = event.reason if isinstance(event, ReferralRevoked) else None
                changed = grant.after(event.event_type, reason=reason, at=event.occurred_at, follow_up=follow_up)
                if changed != grant:
                    await repository.save_grants(uow.session, (changed,))
        await uow.commit()


# -- later updates --------------------------------------------------------------------------------------------


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
        raise NotAllowedError("only who recorded the case or an agency handling it may change it")
    if refusal is Refusal.CONFLICT:
        if status == "closed":
            raise CaseConflictError(status, "the case is closed", id="kasus sudah ditutup")
        raise CaseConflictError(status, "the case is open: only a closed case can be reopened",
                                id="kasus masih terbuka: hanya kasus yang sudah ditutup yang dapat dibuka kembali")


def _stored_case(record: CaseRecord, cipher: FieldCipher) -> Case:
    """The whole case, personal fields included, for the service to apply a change to (never shown)."""
    personal = record.decrypt(cipher, ALL_FIELDS)
    report = join_personal(record.facts, {p: v for p, v in personal.items() if not p.startswith("notes.")})
    return Case(
        record.case_id, record.case_number, report, Channel(record.channel), record.reported_at, record.recorded_by
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
                case = Case(case.case_id, case.case_number, corrected, case.channel, case.reported_at, case.recorded_by)
                await repository.replace_case(uow.session, case, keys.cipher)
                await _link_duplicates(case, uow, keys, new=False)
                if corrected.consent != before.consent:
                    await _follow_consent(record.scope.grants, corrected, uow)
            if note is not None:
                await repository.put_personal(
                    uow.session, case_id, {f"notes.{update_id}": (PersonalField.NARRATIVE, note)}, keys.cipher
                )
                changed.append("notes")
            await repository.add_update(
                uow.session, update_id=update_id, case_id=case_id, kind=kind, changed=tuple(changed),
                by=principal.user_id, at=now,
            )
        uow.emit(case.updated_event(update_id=update_id, kind=kind, changed=tuple(changed), by=principal.user_id))
        await uow.commit()
    return update_id, tuple(changed)


async def _follow_consent(grants: tuple[Grant, ...], report: Report, uow: UnitOfWork) -> None:
    """Consent changed: an agency whose type it no longer covers loses the case, and one it covers again may
    hold it again (while its referral lasts)."""
    consented = frozenset(report.consent.shared_with())
    await repository.save_grants(
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
            await repository.save_grants(uow.session, tuple(
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
            )
        uow.emit(case.reopened_event(reason=reason, by=principal.user_id))
        await uow.commit()
    return update_id
