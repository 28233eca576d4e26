"""Intake's use cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from uuid import UUID, uuid4

from intake import SERVICE
from intake.adapters import repository
from intake.adapters.repository import CaseRecord, DraftRecord
from intake.domain.access import ALL_FIELDS, PersonalField
from intake.domain.duplicates import fingerprints
from intake.domain.model import Case, ClosureReason, case_number
from intake.domain.record import Report, join_personal
from shared.auth import Principal
from shared.contracts import CaseLinked, PersonalDataRead, ReferralCreated
from shared.contracts.base import utc_now
from shared.contracts.vocabulary import Channel
from shared.crypto import FieldCipher
from shared.unit_of_work import UnitOfWork

# The inbox key under which intake records the events it has processed.
INBOX_CONSUMER = SERVICE


class CaseNotFoundError(LookupError):
    """No such case, or none the caller may see (the two are not told apart)."""


class CaseConflictError(RuntimeError):
    """The case's state does not allow the change (e.g. it is closed)."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status


class NotAllowedError(PermissionError):
    """The caller may see the case but not make this change."""


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
            channel = Channel((await _lock_open_draft(draft_id, uow)).gateway)
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
        record = await repository.get_case(uow.session, case_id)
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
        records = await repository.list_cases(uow.session, limit=limit)
    return [record for record in records if record.scope.can_view(principal)]


async def record_referral(event: ReferralCreated, uow: UnitOfWork) -> None:
    """A referral lets the agency read the case; recorded once however often the event is delivered."""
    async with uow:
        if await uow.first_delivery(event, INBOX_CONSUMER):
            await repository.grant_access(uow.session, event)
        await uow.commit()


# -- later updates --------------------------------------------------------------------------------------------


async def _case_for_change(case_id: UUID, principal: Principal, uow: UnitOfWork, *, closing: bool) -> CaseRecord:
    """The case, locked and whole (every personal field), once the caller is known to be allowed the change.

    The caller's own read decides whether they see the case and may change it; the lock and the full record are
    then taken as the service, since a caller may change fields their agency type may not read."""
    seen = await repository.get_case(uow.session, case_id)
    if seen is None or not seen.scope.can_view(principal):
        raise CaseNotFoundError(case_id)
    allowed = seen.scope.can_close(principal) if closing else seen.scope.can_update(principal)
    if not allowed:
        raise NotAllowedError("only who recorded the case or an agency handling it may change it")
    async with uow.acting_as_service():
        record = await repository.get_case(uow.session, case_id, for_update=True)
    if record is None or record.status == "closed":
        raise CaseConflictError(record.status if record else "closed", "the case is closed")
    return record


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
        record = await _case_for_change(case_id, principal, uow, closing=False)
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


async def close_case(
    case_id: UUID, principal: Principal, uow: UnitOfWork, cipher: FieldCipher, *, reason: ClosureReason,
    duplicate_of: UUID | None,
) -> datetime:
    now = utc_now()
    async with uow:
        record = await _case_for_change(case_id, principal, uow, closing=True)
        async with uow.acting_as_service():
            case = _stored_case(record, cipher)
            await repository.close_case(uow.session, case_id, reason=reason, at=now)
        uow.emit(case.closed_event(reason=reason, duplicate_of=duplicate_of, by=principal.user_id))
        await uow.commit()
    return now


# -- messages from the WhatsApp / SMS gateways ----------------------------------------------------------------


async def receive_message(  # noqa: PLR0917 - one message's parts
    gateway: Channel, message_id: str, sender: str, text: str, received_at: datetime, uow: UnitOfWork,
    cipher: FieldCipher,
) -> UUID:
    """Keep a gateway message as a draft report for an operator; a message delivered twice is kept once."""
    async with uow:
        draft_id = await repository.add_draft(
            uow.session, draft_id=uuid4(), gateway=gateway.value, message_id=message_id, received_at=received_at,
            sender=sender, text=text, cipher=cipher,
        )
        await uow.commit()
    return draft_id


@dataclass(frozen=True)
class DraftView:
    record: DraftRecord
    sender: str
    text: str


def _view(draft: DraftRecord, cipher: FieldCipher) -> DraftView:
    return DraftView(
        draft,
        cipher.decrypt(draft.sender_ciphertext, case_id=draft.draft_id, field="sender"),
        cipher.decrypt(draft.text_ciphertext, case_id=draft.draft_id, field="text"),
    )


async def open_drafts(
    principal: Principal, uow: UnitOfWork, cipher: FieldCipher, *, limit: int, endpoint: str
) -> list[DraftView]:
    """The open drafts, decrypted, each read audited under the draft's id (which the case recorded from it
    takes): no audit, no data."""
    async with uow:
        drafts = await repository.list_drafts(uow.session, status="open", limit=limit)
        for draft in drafts:
            uow.emit(
                PersonalDataRead(
                    case_id=draft.draft_id,
                    actor_user_id=principal.user_id,
                    actor_agency_id=principal.agency_id,
                    actor_roles=tuple(sorted(principal.roles)),
                    fields=(PersonalField.NARRATIVE.value, PersonalField.REPORTER_CONTACT.value),
                    endpoint=endpoint,
                )
            )
        await uow.commit()
    return [_view(draft, cipher) for draft in drafts]


async def _lock_open_draft(draft_id: UUID, uow: UnitOfWork) -> DraftRecord:
    """The draft to complete, locked so that two operators cannot both turn it into a case."""
    draft = await repository.get_draft(uow.session, draft_id, for_update=True)
    if draft is None:
        raise CaseNotFoundError(draft_id)
    if draft.status != "open":
        raise CaseConflictError(draft.status, "the draft was already completed")
    return draft
