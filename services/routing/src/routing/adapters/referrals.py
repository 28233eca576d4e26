"""Reading and writing referrals, the cases routing has seen, the rule sets and the SLA timers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from routing.adapters.tables import ReferralRow, RoutedCaseRow, RuleSetRow, SlaTimerRow
from routing.domain.cases import CaseToRoute
from routing.domain.referrals import Referral, ReferralStatus
from routing.domain.rules import NATIONAL_SCOPE, RuleSet
from routing.domain.sla import DEADLINES, Deadline
from shared.contracts.vocabulary import Need

# SQLModel sets ``__table__`` at class creation.
REFERRALS: Table = ReferralRow.__table__  # type: ignore[attr-defined]
CASES: Table = RoutedCaseRow.__table__  # type: ignore[attr-defined]
RULE_SETS: Table = RuleSetRow.__table__  # type: ignore[attr-defined]
TIMERS: Table = SlaTimerRow.__table__  # type: ignore[attr-defined]


# -- cases ----------------------------------------------------------------------------------------------------


async def save_case(session: AsyncSession, case: CaseToRoute, at: datetime) -> None:
    document = case.to_document()
    await session.execute(
        insert(CASES)
        .values(case_id=case.case_id, document=document, updated_at=at)
        .on_conflict_do_update(index_elements=[CASES.c.case_id], set_={"document": document, "updated_at": at})
    )


async def get_case(session: AsyncSession, case_id: UUID) -> CaseToRoute | None:
    document = (await session.execute(select(CASES.c.document).where(CASES.c.case_id == case_id))).scalar()
    return None if document is None else CaseToRoute.from_document(document)


@dataclass(frozen=True)
class CaseState:
    """A case routing knows, whether it is closed, and its round (how many times it was reopened)."""

    case: CaseToRoute
    closed: bool
    round: int


async def case_state(
    session: AsyncSession, case_id: UUID, *, for_update: bool = False, skip_locked: bool = False
) -> CaseState | None:
    """The case's state; ``for_update`` locks its row, so a closure and a decline or a timer of the same case
    take turns (``skip_locked``: None at once if another transaction holds it)."""
    query = select(CASES.c.document, CASES.c.closed_at, CASES.c.round).where(CASES.c.case_id == case_id)
    if for_update:
        query = query.with_for_update(skip_locked=skip_locked)
    row = (await session.execute(query)).one_or_none()
    if row is None:
        return None
    return CaseState(CaseToRoute.from_document(row.document), row.closed_at is not None, row.round)


async def close_case(session: AsyncSession, case_id: UUID, at: datetime) -> None:
    await session.execute(CASES.update().where(CASES.c.case_id == case_id).values(closed_at=at))


async def reopen_case(session: AsyncSession, case_id: UUID) -> int:
    """Open the case again for a new round of referrals; returns the new round."""
    round_: int = (
        await session.execute(
            CASES.update()
            .where(CASES.c.case_id == case_id)
            .values(closed_at=None, services_completed_at=None, round=CASES.c.round + 1)
            .returning(CASES.c.round)
        )
    ).scalar_one()
    return round_


async def mark_services_completed(session: AsyncSession, case_id: UUID, at: datetime) -> bool:
    """Record that the case's services are complete; False if that was already recorded (say it once)."""
    updated = await session.execute(
        CASES.update()
        .where(CASES.c.case_id == case_id, CASES.c.services_completed_at.is_(None))
        .values(services_completed_at=at)
        .returning(CASES.c.case_id)
    )
    return updated.first() is not None


# -- rule sets ------------------------------------------------------------------------------------------------


async def stored_rule_set(session: AsyncSession, scope: str = NATIONAL_SCOPE) -> RuleSet | None:
    """The highest stored version of ``scope`` (national, or a province code), or None when it has none."""
    document = (
        await session.execute(
            select(RULE_SETS.c.document).where(RULE_SETS.c.scope == scope)
            .order_by(RULE_SETS.c.version.desc()).limit(1)
        )
    ).scalar()
    return None if document is None else RuleSet.from_yaml(document)


async def add_rule_set(
    session: AsyncSession, rules: RuleSet, *, by: str, at: datetime, scope: str = NATIONAL_SCOPE
) -> bool:
    """Store a new version of ``scope``; False if that version exists already."""
    inserted = await session.execute(
        insert(RULE_SETS)
        .values(scope=scope, version=rules.version, document=rules.to_yaml(), created_by=by, created_at=at)
        .on_conflict_do_nothing(index_elements=[RULE_SETS.c.scope, RULE_SETS.c.version])
        .returning(RULE_SETS.c.version)
    )
    return inserted.first() is not None


# -- referrals ------------------------------------------------------------------------------------------------


async def add_referrals(
    session: AsyncSession, referrals: Sequence[Referral], *, case_facts: Mapping[str, Any] | None = None
) -> set[UUID]:
    """Store ``referrals`` and their SLA timers, in two statements however many there are; returns the ids of
    those stored. One whose case was already referred to its agency is not (nothing of it is written).
    ``case_facts``: the columns of their case the referral list shows (``referral_list.case_facts``)."""
    if not referrals:
        return set()
    # Many rows as parameters, not as VALUES in the statement: the statement is compiled once and cached.
    inserted = await session.execute(
        insert(REFERRALS)
        .on_conflict_do_nothing(index_elements=[REFERRALS.c.case_id, REFERRALS.c.round, REFERRALS.c.agency_id])
        .returning(REFERRALS.c.referral_id),
        [
            {
                "referral_id": referral.referral_id,
                "case_id": referral.case_id,
                "agency_id": referral.agency_id,
                "agency_name": referral.agency_name,
                "agency_type": referral.agency_type,
                "is_lead": referral.is_lead,
                "rule": referral.rule,
                "reason": referral.reason,
                "status": referral.status.value,
                "province_code": referral.province_code,
                "regency_code": referral.regency_code,
                "created_at": referral.created_at,
                "rule_set_version": referral.rule_set_version,
                "accept_by": referral.accept_by,
                "first_service_by": referral.first_service_by,
                "replaces_referral_id": referral.replaces_referral_id,
                "round": referral.round,
                "requested_by": referral.requested_by,
                **(case_facts or {}),
            }
            for referral in referrals
        ],
    )
    stored = set(inserted.scalars())
    timers = []
    for referral in referrals:
        due = {"accept": referral.accept_by, "first_service": referral.first_service_by}
        if referral.referral_id in stored:
            timers += [
                {"referral_id": referral.referral_id, "deadline": deadline, "due_at": due[deadline]}
                for deadline in DEADLINES
                if due[deadline] is not None
            ]
    if timers:
        await session.execute(insert(TIMERS), timers)
    return stored


async def referrals_of_case(
    session: AsyncSession, case_id: UUID, *, round_: int | None = None, for_update: bool = False
) -> list[Referral]:
    """The case's referrals (of one round, when ``round_`` is given): by round, the lead first."""
    query = (
        select(REFERRALS)
        .where(REFERRALS.c.case_id == case_id)
        .order_by(REFERRALS.c.round, REFERRALS.c.is_lead.desc(), REFERRALS.c.created_at, REFERRALS.c.agency_id)
    )
    if round_ is not None:
        query = query.where(REFERRALS.c.round == round_)
    rows = (await session.execute(query.with_for_update() if for_update else query)).all()
    return [_referral(row) for row in rows]


async def get_referral(session: AsyncSession, referral_id: UUID, *, for_update: bool = False) -> Referral | None:
    query = select(REFERRALS).where(REFERRALS.c.referral_id == referral_id)
    row = (await session.execute(query.with_for_update() if for_update else query)).one_or_none()
    return None if row is None else _referral(row)


async def save_referral(session: AsyncSession, referral: Referral) -> None:
    await session.execute(
        REFERRALS.update()
        .where(REFERRALS.c.referral_id == referral.referral_id)
        .values(
            status=referral.status.value,
            status_reason=referral.status_reason,
            services_given=[service.value for service in referral.services_given],
            updated_at=referral.updated_at,
            accepted_at=referral.accepted_at,
        )
    )


def _referral(row: Any) -> Referral:
    return Referral(
        referral_id=row.referral_id,
        case_id=row.case_id,
        agency_id=row.agency_id,
        agency_name=row.agency_name,
        agency_type=row.agency_type,
        is_lead=row.is_lead,
        rule=row.rule,
        reason=row.reason,
        status=ReferralStatus(row.status),
        province_code=row.province_code,
        regency_code=row.regency_code,
        created_at=row.created_at,
        rule_set_version=row.rule_set_version,
        accept_by=row.accept_by,
        first_service_by=row.first_service_by,
        replaces_referral_id=row.replaces_referral_id,
        status_reason=row.status_reason,
        services_given=tuple(Need(s) for s in row.services_given),
        updated_at=row.updated_at,
        round=row.round,
        accepted_at=row.accepted_at,
        requested_by=row.requested_by,
    )


# -- SLA timers -----------------------------------------------------------------------------------------------


async def claim_due_timers(
    session: AsyncSession, now: datetime, *, limit: int
) -> list[tuple[UUID, Deadline, datetime]]:
    """Due, unfired timers, locked for this transaction. SKIP LOCKED: another routing instance checking at the
    same moment takes other timers, never these, so each fires exactly once."""
    rows = await session.execute(
        select(TIMERS.c.referral_id, TIMERS.c.deadline, TIMERS.c.due_at)
        .where(TIMERS.c.fired_at.is_(None), TIMERS.c.due_at <= now)
        .order_by(TIMERS.c.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [(row.referral_id, row.deadline, row.due_at) for row in rows]


async def cancel_timers(session: AsyncSession, referral_ids: Sequence[UUID], *, at: datetime) -> None:
    """Stop the clocks of ``referral_ids``: their unfired timers never fire (the case was closed)."""
    if referral_ids:
        await session.execute(
            TIMERS.update()
            .where(TIMERS.c.referral_id.in_(referral_ids), TIMERS.c.fired_at.is_(None))
            .values(fired_at=at, outcome="cancelled")
        )


async def close_timer(
    session: AsyncSession, referral_id: UUID, deadline: Deadline, *, outcome: str, at: datetime
) -> None:
    await session.execute(
        TIMERS.update()
        .where(TIMERS.c.referral_id == referral_id, TIMERS.c.deadline == deadline)
        .values(fired_at=at, outcome=outcome)
    )
