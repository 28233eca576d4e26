"""Notifications' own view of cases and referrals, kept from the events (never read from another service's
tables), and the events that wait for their case."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.adapters.tables import known_cases, known_referrals, waiting_events
from notifications.domain.need_to_know import KnownReferral, ReferralStatus
from shared.contracts import Event, parse_event
from shared.contracts.base import utc_now
from shared.contracts.intake import CaseFacts

_FACT_NAMES = set(CaseFacts.model_fields)


async def lock_case(session: AsyncSession, case_id: UUID) -> None:
    """Take the case's lock until the transaction ends. The case and referral topics are consumed side by side:
    without it, a referral could look for its case (not there yet), the case could look for waiting events (the
    referral's wait not committed yet), and the referral would wait for ever."""
    await session.execute(select(func.pg_advisory_xact_lock(case_id.int & _SIGNED_64_BITS)))


_SIGNED_64_BITS = (1 << 63) - 1


async def save_case(session: AsyncSession, case_id: UUID, facts: CaseFacts, *, as_of: object) -> None:
    """Keep the newest facts: an older event that comes late changes nothing."""
    document = facts.model_dump(mode="json", include=_FACT_NAMES)
    statement = insert(known_cases).values(case_id=case_id, facts=document, as_of=as_of)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["case_id"],
            set_={"facts": statement.excluded.facts, "as_of": statement.excluded.as_of},
            where=known_cases.c.as_of <= statement.excluded.as_of,
        )
    )


async def case_facts(session: AsyncSession, case_id: UUID) -> CaseFacts | None:
    document = (await session.execute(select(known_cases.c.facts).where(known_cases.c.case_id == case_id))).scalar()
    return None if document is None else CaseFacts.model_validate(document)


async def save_referral(session: AsyncSession, referral: KnownReferral) -> None:
    values = {
        "referral_id": referral.referral_id, "case_id": referral.case_id, "agency_id": referral.agency_id,
        "agency_type": referral.agency_type, "is_lead": referral.is_lead, "status": referral.status.value,
        "accept_by": referral.accept_by, "first_service_by": referral.first_service_by,
        "status_since": referral.status_since, "closed_with_case": referral.closed_with_case,
    }
    await session.execute(insert(known_referrals).values(values).on_conflict_do_nothing())


async def set_referral_status(
    session: AsyncSession, referral_id: UUID, status: ReferralStatus, *, since: datetime, closed_with_case: bool
) -> None:
    await session.execute(
        update(known_referrals)
        .where(known_referrals.c.referral_id == referral_id)
        .values(status=status.value, status_since=since, closed_with_case=closed_with_case)
    )


async def referrals_of_case(session: AsyncSession, case_id: UUID) -> list[KnownReferral]:
    rows = await session.execute(select(known_referrals).where(known_referrals.c.case_id == case_id))
    return [
        KnownReferral(
            referral_id=row.referral_id, case_id=row.case_id, agency_id=row.agency_id, agency_type=row.agency_type,
            is_lead=row.is_lead, status=ReferralStatus(row.status), accept_by=row.accept_by,
            first_service_by=row.first_service_by, status_since=row.status_since,
            closed_with_case=row.closed_with_case,
        )
        for row in rows
    ]


async def park(session: AsyncSession, event: Event) -> None:
    await session.execute(
        insert(waiting_events).values(case_id=event.case_id, event=event.model_dump_json(), received_at=utc_now())
    )


async def take_waiting(session: AsyncSession, case_id: UUID) -> list[Event]:
    """The case's waiting events, in the order they came, removed from the wait."""
    rows = (
        await session.execute(
            delete(waiting_events)
            .where(waiting_events.c.case_id == case_id)
            .returning(waiting_events.c.sequence, waiting_events.c.event)
        )
    ).all()
    return [parse_event(row.event) for row in sorted(rows, key=lambda row: row.sequence)]
