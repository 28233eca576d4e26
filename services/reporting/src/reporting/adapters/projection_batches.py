"""Applying many events at once, for a rebuild: the rows ``projections.project`` builds event by event, written
with nine statements per batch (each row set sent as arrays, one per column) instead of one to seven per event.

A batch is first folded in memory by the same rules the upserts follow (``projections``): per case the facts
stated last (the first of equals), per case the latest closure and the latest reopening (the first of equals), per
referral each column merged by its
``merge_rule``. Those rules are associative, and a column an event does not state is left as it is, so folding
a batch and then upserting the fold gives what upserting its events one by one, in the same order, gives."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Delete, Select, Table, Uuid, any_, bindparam, cast, delete, func, select
from sqlalchemy.dialects.postgresql import ARRAY, Insert, insert
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.adapters.projections import (
    CHILD_TABLES,
    REFERRAL_EVENTS,
    ReferralEvent,
    case_facts_row,
    child_rows,
    closure_row,
    merge_rule,
    merged,
    new_referral_row,
    referral_step,
    reopening_row,
    upsert_case_facts,
    upsert_latest,
)
from reporting.adapters.tables import case_closures, case_facts, case_reopenings, referral_facts
from reporting.domain.facts import CaseFacts
from shared.contracts import CaseClosed, CaseReopened, CaseReported, CaseUpdated, Event

_REFERRAL_COLUMNS = tuple(column.name for column in referral_facts.c)
# The columns a referral's events merge into; its id, case and agency are set by the first event read of it.
_MERGED_COLUMNS = tuple(name for name in _REFERRAL_COLUMNS if name not in ("referral_id", "case_id", "agency_id"))


def _rows_of_arrays(table: Table) -> Select[Any]:
    """``SELECT * FROM unnest(:column_a, :column_b, ...)``: a batch of ``table`` rows sent as one array parameter
    per column, so a statement carries any number of rows and is compiled (and prepared) once."""
    names = [column.name for column in table.c]
    arrays = [cast(bindparam(name), ARRAY(table.c[name].type)) for name in names]
    rows = func.unnest(*arrays).table_valued(*names).render_derived(name="batch")
    return select(*(rows.c[name] for name in names))


def _insert_rows(table: Table) -> Insert:
    return insert(table).from_select([column.name for column in table.c], _rows_of_arrays(table))


def _upsert_referrals() -> Insert:
    statement = _insert_rows(referral_facts)
    return statement.on_conflict_do_update(
        index_elements=["referral_id"],
        # A column the fold holds no value for is NULL or false here, which every merge rule leaves as recorded.
        set_={name: merged(name, statement.excluded[name]) for name in _MERGED_COLUMNS},
    )


def _delete_of_cases(table: Table) -> Delete:
    return delete(table).where(table.c.case_id == any_(cast(bindparam("case_ids"), ARRAY(Uuid))))


_UPSERT_CASE_FACTS = upsert_case_facts(_insert_rows(case_facts))
_DELETE_CHILDREN = {table: _delete_of_cases(table) for table in CHILD_TABLES}
_INSERT_CHILDREN = {table: _insert_rows(table) for table in CHILD_TABLES}
_UPSERT_LATEST = {table: upsert_latest(table, _insert_rows(table)) for table in (case_closures, case_reopenings)}
_UPSERT_REFERRALS = _upsert_referrals()


def _arrays(table: Table, rows: Iterable[dict[str, Any]]) -> dict[str, list[Any]]:
    """The parameters of ``_rows_of_arrays(table)``: each column's values, row by row (None where a row has none)."""
    names = [column.name for column in table.c]
    columns: dict[str, list[Any]] = {name: [] for name in names}
    for row in rows:
        for name in names:
            columns[name].append(row.get(name))
    return columns


def merge_value(name: str, recorded: Any, stated: Any) -> Any:
    """``projections.merge_rule`` in Python, NULL as None."""
    rule = merge_rule(name)
    if rule == "any":
        return bool(recorded) or bool(stated)
    if recorded is None or stated is None:
        return stated if recorded is None else recorded
    if rule == "earliest":
        earliest: datetime = min(recorded, stated)
        return earliest
    return recorded


@dataclass
class ProjectionBatch:
    """``add`` events in the order they are read, then ``apply`` them."""

    facts: dict[UUID, CaseFacts] = field(default_factory=dict)
    closures: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    reopenings: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    referrals: dict[UUID, dict[str, Any]] = field(default_factory=dict)

    def add(self, event: Event) -> None:
        if isinstance(event, REFERRAL_EVENTS):
            self._add_referral_step(event)
            return
        match event:
            case CaseReported() | CaseUpdated():
                facts = CaseFacts.from_event(event)
                held = self.facts.get(facts.case_id)
                if held is None or held.as_of < facts.as_of:
                    self.facts[facts.case_id] = facts
            case CaseClosed():
                _keep_latest(self.closures, closure_row(event), "closed_at")
            case CaseReopened():
                _keep_latest(self.reopenings, reopening_row(event), "reopened_at")

    def _add_referral_step(self, event: ReferralEvent) -> None:
        step = referral_step(event)
        row = self.referrals.get(event.referral_id)
        if row is None:
            self.referrals[event.referral_id] = new_referral_row(event, step)
            return
        for name, stated in step.items():
            row[name] = merge_value(name, row.get(name), stated)

    async def apply(self, session: AsyncSession) -> None:
        if self.facts:
            await self._apply_case_facts(session)
        for table, rows in ((case_closures, self.closures), (case_reopenings, self.reopenings)):
            if rows:
                await session.execute(_UPSERT_LATEST[table], _arrays(table, rows.values()))
        if self.referrals:
            await session.execute(_UPSERT_REFERRALS, _arrays(referral_facts, self.referrals.values()))

    async def _apply_case_facts(self, session: AsyncSession) -> None:
        rows = [case_facts_row(facts) for facts in self.facts.values()]
        stated_ids = list((await session.execute(_UPSERT_CASE_FACTS, _arrays(case_facts, rows))).scalars())
        if not stated_ids:
            return
        children: dict[Table, list[dict[str, Any]]] = {table: [] for table in CHILD_TABLES}
        for case_id in stated_ids:
            for table, table_rows in child_rows(self.facts[case_id]).items():
                children[table] += table_rows
        for table in CHILD_TABLES:  # the facts stated replace the ones before, whole
            await session.execute(_DELETE_CHILDREN[table], {"case_ids": stated_ids})
            if children[table]:
                await session.execute(_INSERT_CHILDREN[table], _arrays(table, children[table]))


def _keep_latest(rows: dict[UUID, dict[str, Any]], row: dict[str, Any], moment: str) -> None:
    """``projections.upsert_latest`` in Python: the row stated latest per case, the first of equals."""
    held = rows.get(row["case_id"])
    if held is None or held[moment] < row[moment]:
        rows[row["case_id"]] = row


async def project_batch(session: AsyncSession, events: list[Event]) -> None:
    """Apply ``events``, in their order, as ``projections.project`` would one by one."""
    batch = ProjectionBatch()
    for event in events:
        batch.add(event)
    await batch.apply(session)
