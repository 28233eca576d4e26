"""Applying events to the read models. Every write is an upsert that comes out the same whatever order the
events are read in and however often: the facts a case last stated stand (``facts_as_of``), a case's latest
closure and latest reopening stand (it is closed while the closure is the later), and each step of a referral is
set once, the earliest time wins. So incremental processing and a replay of the topics (``sinergi reporting
rebuild``) build the same tables."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import ColumnElement, DateTime, Table, delete, func, or_
from sqlalchemy.dialects.postgresql import Insert, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from reporting.adapters.tables import (
    case_closures,
    case_facts,
    case_relationships,
    case_reopenings,
    case_victims,
    case_violence_types,
    referral_facts,
)
from reporting.domain.facts import CaseFacts
from shared.contracts import (
    CaseClosed,
    CaseReopened,
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

ReferralEvent = (
    ReferralCreated | ReferralAccepted | ReferralServiceStarted | ReferralCompleted | ReferralDeclined
    | ReferralRevoked | ReferralSlaBreached
)
# The same classes, for isinstance: what a referral's row is folded from.
REFERRAL_EVENTS = (
    ReferralCreated, ReferralAccepted, ReferralServiceStarted, ReferralCompleted, ReferralDeclined, ReferralRevoked,
    ReferralSlaBreached,
)

# The events the read models are built from; every other event leaves them as they are.
PROJECTED: tuple[type[Event], ...] = (CaseReported, CaseUpdated, CaseClosed, CaseReopened, *REFERRAL_EVENTS)


async def project(session: AsyncSession, event: Event) -> None:
    """Apply ``event`` to the read models."""
    if isinstance(event, REFERRAL_EVENTS):
        await _referral(session, event, referral_step(event))
        return
    match event:
        case CaseReported() | CaseUpdated():
            await state_case_facts(session, CaseFacts.from_event(event))
        case CaseClosed():
            await session.execute(upsert_latest(case_closures, insert(case_closures).values(closure_row(event))))
        case CaseReopened():
            await session.execute(
                upsert_latest(case_reopenings, insert(case_reopenings).values(reopening_row(event)))
            )


# -- case facts -----------------------------------------------------------------------------------------------

# The facts a case can have several of, a row each; replaced whole whenever the case's facts are.
CHILD_TABLES = (case_violence_types, case_victims, case_relationships)


def case_facts_row(facts: CaseFacts) -> dict[str, Any]:
    return {
        "case_id": facts.case_id,
        "case_number": facts.case_number,
        "province_code": facts.province_code,
        "regency_code": facts.regency_code,
        "district_code": facts.district_code,
        "village_code": facts.village_code,
        "place": facts.place.value,
        "channel": facts.channel.value,
        "reported_at": facts.reported_at,
        "facts_as_of": facts.as_of,
    }


def child_rows(facts: CaseFacts) -> dict[Table, list[dict[str, Any]]]:
    """The rows of each of ``CHILD_TABLES`` that ``facts`` state."""
    return {
        case_violence_types: [
            {"case_id": facts.case_id, "violence_type": violence.value} for violence in facts.violence_types
        ],
        case_victims: [
            {"case_id": facts.case_id, "victim_no": number, "sex": victim.sex.value,
             "age_group": victim.age_group.value}
            for number, victim in enumerate(facts.victims, start=1)
        ],
        case_relationships: [
            {"case_id": facts.case_id, "relationship": relationship.value} for relationship in facts.relationships
        ],
    }


CASE_FACTS_COLUMNS = tuple(column.name for column in case_facts.c)


def upsert_case_facts(statement: Insert) -> ReturningInsert[Any]:
    """``statement`` (an insert of whole ``case_facts`` rows) recording each row unless facts stated later are
    already recorded for its case; it returns the ids of the cases recorded."""
    return statement.on_conflict_do_update(
        index_elements=["case_id"],
        set_={name: statement.excluded[name] for name in CASE_FACTS_COLUMNS if name != "case_id"},
        where=case_facts.c.facts_as_of < statement.excluded.facts_as_of,
    ).returning(case_facts.c.case_id)


async def state_case_facts(session: AsyncSession, facts: CaseFacts) -> bool:
    """Record ``facts`` unless facts stated later are already recorded; True if they were recorded."""
    stated = await session.execute(upsert_case_facts(insert(case_facts).values(case_facts_row(facts))))
    if stated.first() is None:
        return False
    for table in CHILD_TABLES:
        await session.execute(delete(table).where(table.c.case_id == facts.case_id))
    for table, rows in child_rows(facts).items():
        await session.execute(insert(table), rows)
    return True


# -- a case's closures and reopenings -----------------------------------------------------------------------

# Each table's time column: the latest row per case stands (of two at the same moment, the first read).
LATEST_BY: dict[Table, str] = {case_closures: "closed_at", case_reopenings: "reopened_at"}


def closure_row(event: CaseClosed) -> dict[str, Any]:
    return {"case_id": event.case_id, "closed_at": event.occurred_at, "reason": event.reason}


def reopening_row(event: CaseReopened) -> dict[str, Any]:
    return {"case_id": event.case_id, "reopened_at": event.occurred_at, "reason": event.reason}


def upsert_latest(table: Table, statement: Insert) -> Insert:
    """``statement`` (an insert into ``table``, one of ``LATEST_BY``'s) keeping, per case, the row stated latest."""
    moment = LATEST_BY[table]
    return statement.on_conflict_do_update(
        index_elements=["case_id"],
        set_={column.name: statement.excluded[column.name] for column in table.c if column.name != "case_id"},
        where=table.c[moment] < statement.excluded[moment],
    )


# -- referrals ------------------------------------------------------------------------------------------------

FLAGS = ("accept_breached", "accept_escalated", "first_service_breached", "first_service_escalated")


def referral_step(event: ReferralEvent) -> dict[str, Any]:
    """The columns of its referral's row that ``event`` states, each merged into the row by its ``merge_rule``."""
    match event:
        case ReferralCreated():
            return {
                "agency_type": event.agency_type, "is_lead": event.is_lead, "province_code": event.province_code,
                "regency_code": event.regency_code, "referred_at": event.occurred_at, "accept_by": event.accept_by,
                "first_service_by": event.first_service_by,
            }
        case ReferralAccepted():
            return {"accepted_at": event.occurred_at}
        case ReferralServiceStarted():
            return {"service_started_at": event.occurred_at}
        case ReferralCompleted() | ReferralDeclined() | ReferralRevoked():
            return {"ended_at": event.occurred_at, "ended_as": event.event_type.split(".")[1]}
        case ReferralSlaBreached():
            escalated = event.escalated_to is not None
            if event.deadline == "accept":
                return {"accept_breached": True, "accept_escalated": escalated}
            return {"first_service_breached": True, "first_service_escalated": escalated}


def new_referral_row(event: ReferralEvent, step: dict[str, Any]) -> dict[str, Any]:
    """The row of a referral first read in ``event``: its step, no flag raised, nothing else known yet."""
    values: dict[str, Any] = dict.fromkeys(FLAGS, False)
    return values | {"referral_id": event.referral_id, "case_id": event.case_id, "agency_id": event.agency_id, **step}


async def _referral(session: AsyncSession, event: ReferralEvent, step: dict[str, Any]) -> None:
    """Set ``step``'s columns of the event's referral, creating its row if this is the first event read of it."""
    statement = insert(referral_facts).values(new_referral_row(event, step))
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["referral_id"],
            set_={name: merged(name, statement.excluded[name]) for name in step},
        )
    )


MergeRule = Literal["any", "earliest", "first"]


def merge_rule(name: str) -> MergeRule:
    """How a step's column combines what is recorded with what an event states, the same in any order: a flag
    once raised stays raised, the earliest time stated wins, any other value is set once."""
    if name in FLAGS:
        return "any"
    if isinstance(referral_facts.c[name].type, DateTime):
        return "earliest"
    return "first"


def merged(name: str, stated: ColumnElement[Any]) -> ColumnElement[Any]:
    """``merge_rule`` in SQL."""
    recorded = referral_facts.c[name]
    rule = merge_rule(name)
    if rule == "any":
        return or_(recorded, stated)
    if rule == "earliest":
        return func.least(recorded, stated)  # least() skips NULLs: the earliest stated time
    return func.coalesce(recorded, stated)
