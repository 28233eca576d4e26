"""Intake's use cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID, uuid4

from intake import SERVICE
from intake.adapters import drafts, grants, reporter_codes, repository
from intake.adapters.repository import CaseRecord
from intake.domain.access import Grant
from intake.domain.duplicates import fingerprints
from intake.domain.model import Case, case_number
from intake.domain.operator_rules import in_region
from intake.domain.record import Report
from intake.service_layer.drafts import lock_open_draft
from intake.service_layer.errors import LinkNotAMatchError
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
    draft_id: UUID | None = None, reporter_code_hash: str | None = None, link_to: UUID | None = None,
    principal: Principal | None = None,
) -> Case:
    """Open a case for ``report``: the case, its number, its triage, its links to earlier reports of the same
    incident and its events, in one transaction. Completing a gateway draft marks it done in the same one, and
    the case takes the draft's channel. ``reporter_code_hash`` (a public report's one-time code, hashed) is kept
    with the case in the same transaction. ``link_to``: the earlier case of the ``principal``'s region the staff
    member recording it says it is the same incident as; it must be one intake links the report to, or nothing is
    saved (``LinkNotAMatchError``)."""
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
        if reporter_code_hash is not None:
            await reporter_codes.add_code(uow.session, case.case_id, reporter_code_hash, at=reported_at)
        uow.emit(case.reported_event())
        linked = await link_duplicates(case, uow, keys, new=True)
        if link_to is not None:
            await confirm_link(case, link_to, linked, principal, uow)
        if draft_id is not None:
            await drafts.complete_draft(uow.session, draft_id, case_id=case.case_id, by=recorded_by or "")
        await uow.commit()
    return case


async def link_duplicates(case: Case, uow: UnitOfWork, keys: Keys, *, new: bool) -> set[UUID]:
    """Link ``case`` to earlier cases that look like the same incident; never drop either. A ``new`` case (opened
    in this transaction) has no fingerprints yet, so none are deleted first: one round trip fewer per report.
    Returns the cases it is linked to."""
    linked: set[UUID] = set()
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
            linked.add(other_id)
            await repository.add_link(uow.session, case.case_id, other_id, [r.value for r in ordered], utc_now())
            uow.emit(
                CaseLinked(
                    case_id=case.case_id, linked_case_id=other_id, case_number=case.case_number,
                    linked_case_number=other_number, reasons=ordered,
                )
            )
    return linked


async def confirm_link(
    case: Case, link_to: UUID, linked: set[UUID], principal: Principal | None, uow: UnitOfWork
) -> None:
    """Keep, as an update of the new case, that the staff member recording it confirmed it is the same incident
    as ``link_to``: a case of their region that detection linked it to."""
    async with uow.acting_as_service():
        other = await repository.get_case(uow.session, link_to, now=case.reported_at)
        if principal is None or other is None or link_to not in linked or not in_region(
            principal, other.province_code, other.regency_code
        ):
            raise LinkNotAMatchError(link_to)
        await repository.add_update(
            uow.session, update_id=uuid4(), case_id=case.case_id, kind="link_confirmed", changed=("links",),
            by=principal.user_id, at=case.reported_at, agency=principal.agency_id,
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
                    consented_types=await grants.case_consent(uow.session, event.case_id),
                )
                await grants.add_grant(uow.session, event.case_id, referred, referred_at=event.occurred_at)
            elif (grant := await grants.get_grant(uow.session, event.referral_id)) is not None:
                reason = event.reason if isinstance(event, ReferralRevoked) else None
                changed = grant.after(event.event_type, reason=reason, at=event.occurred_at, follow_up=follow_up)
                if changed != grant:
                    await grants.save_grants(uow.session, (changed,))
            # How far the referral has come, for the reporter's status page (not an access rule).
            await reporter_codes.set_stage(uow.session, event.referral_id, event.event_type)
        await uow.commit()
