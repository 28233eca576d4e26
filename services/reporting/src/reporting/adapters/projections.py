"""Applying events to the read models. Every write is an upsert that comes out the same whatever order the
events are read in and however often: the facts a case last stated stand (``facts_as_of``), a closure and each
step of a referral are set once, the earliest time wins. So incremental processing and a replay of the topics
(``sinergi reporting rebuild``) build the same tables."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, DateTime, delete, func, or_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.adapters.tables import (
    case_closures,
    case_facts,
    case_relationships,
    case_victims,
    case_violence_types,
    referral_facts,
)
from reporting.domain.facts import CaseFacts
from shared.contracts import (
    CaseClosed,
    CaseReported,
    CaseUpdated,
    Event,
    ReferralAccepted,
    ReferralCompleted,
    ReferralCreated,
    ReferralDeclined,
    ReferralRevoked,
    ReferralServiceStarted,
    ReferralSlaBreached,
)

# The events the read models are built from; every other event leaves them as they are.
PROJECTED: tuple[type[Event], ...] = (
    CaseReported, CaseUpdated, CaseClosed, ReferralCreated, ReferralAccepted, ReferralServiceStarted,
    ReferralCompleted, ReferralDeclined, ReferralRevoked, ReferralSlaBreached,
)


async def project(session: AsyncSession, event: Event) -> None:
    """Apply ``event`` to the read models."""
    match event:
        case CaseReported() | CaseUpdated():
            await state_case_facts(session, CaseFacts.from_event(event))
        case CaseClosed():
            await session.execute(
                insert(case_closures)
                .values(case_id=event.case_id, closed_at=event.occurred_at, reason=event.reason)
                .on_conflict_do_nothing(index_elements=["case_id"])
            )
        case ReferralCreated():
            await _referral(
                session, event, agency_type=event.agency_type, is_lead=event.is_lead,
                province_code=event.province_code, regency_code=event.regency_code, referred_at=event.occurred_at,
                accept_by=event.accept_by, first_service_by=event.first_service_by,
            )
        case ReferralAccepted():
            await _referral(session, event, accepted_at=event.occurred_at)
        case ReferralServiceStarted():
            await _referral(session, event, service_started_at=event.occurred_at)
        case ReferralCompleted() | ReferralDeclined() | ReferralRevoked():
            await _referral(session, event, ended_at=event.occurred_at, ended_as=event.event_type.split(".")[1])
        case ReferralSlaBreached():
            escalated = event.escalated_to is not None
            if event.deadline == "accept":
                await _referral(session, event, accept_breached=True, accept_escalated=escalated)
            else:
                await _referral(session, event, first_service_breached=True, first_service_escalated=escalated)


async def state_case_facts(session: AsyncSession, facts: CaseFacts) -> bool:
    """Record ``facts`` unless facts stated later are already recorded; True if they were recorded."""
    row = {
        "case_id": facts.case_id,
        "case_number": facts.case_number,
        "province_code": facts.province_code,
        "regency_code": facts.regency_code,
        "place": facts.place.value,
        "channel": facts.channel.value,
        "reported_at": facts.reported_at,
        "facts_as_of": facts.as_of,
    }
    statement = insert(case_facts).values(row)
    stated = await session.execute(
        statement.on_conflict_do_update(
            index_elements=["case_id"],
            set_={name: statement.excluded[name] for name in row if name != "case_id"},
            where=case_facts.c.facts_as_of < statement.excluded.facts_as_of,
        ).returning(case_facts.c.case_id)
    )
    if stated.first() is None:
        return False
    for table in (case_violence_types, case_victims, case_relationships):
        await session.execute(delete(table).where(table.c.case_id == facts.case_id))
    await session.execute(
        insert(case_violence_types),
        [{"case_id": facts.case_id, "violence_type": violence.value} for violence in facts.violence_types],
    )
    await session.execute(
        insert(case_victims),
        [
            {"case_id": facts.case_id, "victim_no": number, "sex": victim.sex.value,
             "age_group": victim.age_group.value}
            for number, victim in enumerate(facts.victims, start=1)
        ],
    )
    await session.execute(
        insert(case_relationships),
        [{"case_id": facts.case_id, "relationship": relationship.value} for relationship in facts.relationships],
    )
    return True


_FLAGS = ("accept_breached", "accept_escalated", "first_service_breached", "first_service_escalated")


async def _referral(
    session: AsyncSession,
    event: ReferralCreated | ReferralAccepted | ReferralServiceStarted | ReferralCompleted | ReferralDeclined
    | ReferralRevoked | ReferralSlaBreached,
    **step: Any,
) -> None:
    """Set ``step``'s columns of the event's referral, creating its row if this is the first event read of it."""
    values: dict[str, Any] = dict.fromkeys(_FLAGS, False)
    values |= {"referral_id": event.referral_id, "case_id": event.case_id, "agency_id": event.agency_id, **step}
    statement = insert(referral_facts).values(values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["referral_id"],
            set_={name: _merged(name, statement.excluded[name]) for name in step},
        )
    )


def _merged(name: str, stated: ColumnElement[Any]) -> ColumnElement[Any]:
    """How a step's column combines what is recorded with what an event states, the same in any order."""
    recorded = referral_facts.c[name]
    if name in _FLAGS:
        return or_(recorded, stated)
    if isinstance(recorded.type, DateTime):
        return func.least(recorded, stated)  # least() skips NULLs: the earliest stated time
    return func.coalesce(recorded, stated)
