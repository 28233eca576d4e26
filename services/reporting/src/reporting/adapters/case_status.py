"""Whether a case is closed now: its latest closure is later than its latest reopening, if it has one. A
reopened case is the same case, open again (SIMFONI counts cases), and a case closed again after a reopening is
closed. Used by the statistics (``status``) and the SIMFONI listing alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, FromClause, and_, case, null, or_

from reporting.adapters.tables import case_closures, case_facts, case_reopenings

CLOSED_NOW: ColumnElement[bool] = and_(
    case_closures.c.case_id.is_not(None),
    or_(case_reopenings.c.case_id.is_(None), case_closures.c.closed_at > case_reopenings.c.reopened_at),
)


def with_closures_and_reopenings(cases: FromClause) -> FromClause:
    """``cases`` (a join from ``case_facts``) with each case's latest closure and reopening, where it has them:
    outer joins, so a case never closed counts too, as open."""
    return cases.outerjoin(case_closures, case_closures.c.case_id == case_facts.c.case_id).outerjoin(
        case_reopenings, case_reopenings.c.case_id == case_facts.c.case_id
    )


def while_closed(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """``column`` of the closure while the case is closed; NULL once it was reopened after it."""
    return case((CLOSED_NOW, column), else_=null())
