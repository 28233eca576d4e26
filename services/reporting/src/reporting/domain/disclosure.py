"""What statistics may show to whom. Whoever supervises the region counted sees exact numbers; everyone else
(the public, agencies, a supervisor looking beyond their region) sees aggregates where a small cell could point
at a victim is suppressed:

- primary: a count from 1 to 4 shows as ``"<5"`` (0 is shown: it points at nobody);
- secondary: when only one cell of a table is suppressed, the smallest other non-zero cell is too, so the total
  minus the others does not give the suppressed one back;
- times and shares of a group of referrals are shown only for groups of at least 5.

- villages: a breakdown by village (desa/kelurahan) shows the public no village with a small count at all, not
  even as ``"<5"`` (that a village had a case at all can point at a family): every row of 1 to 4 cases merges
  into one row ``"other"`` (with the same values of the other keys), which is then suppressed as any other row.
  The table says how many rows were merged (``merged_rows``).

Differences between two different queries (a regency's total with and without a month) can still narrow a
cell down; that is the limit of per-table suppression, and why the public sees no case-level data at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from reporting.domain.statistics import CaseStatistics, GroupCount, GroupKey, ReferralFigures, ReferralStatistics

SMALL_CELL = 5
SUPPRESSED: Literal["<5"] = "<5"
OTHER_VILLAGES = "other"  # the row the public's small village rows merge into
Shown = int | Literal["<5"]


def shown(count: int) -> Shown:
    return SUPPRESSED if 0 < count < SMALL_CELL else count


def suppressed_cells(counts: Sequence[int]) -> list[Shown]:
    """``counts`` as the public may see them: primary and secondary suppression."""
    small = [index for index, count in enumerate(counts) if 0 < count < SMALL_CELL]
    hidden = set(small)
    if len(small) == 1:
        others = [(count, index) for index, count in enumerate(counts) if count > 0 and index not in hidden]
        if others:
            hidden.add(min(others)[1])
    return [SUPPRESSED if index in hidden else count for index, count in enumerate(counts)]


@dataclass(frozen=True)
class CaseRow:
    values: tuple[str, ...]
    count: Shown


@dataclass(frozen=True)
class CaseTable:
    """Case statistics as shown: exact, or suppressed for the public."""

    group_by: tuple[str, ...]
    rows: tuple[CaseRow, ...]
    total_cases: Shown
    exact: bool
    merged_rows: int | None = None  # for the public's breakdowns by village: rows merged into "other"


def merge_small_villages(rows: Sequence[GroupCount], village: int) -> tuple[list[GroupCount], int]:
    """``rows`` with every row of 1 to 4 cases merged into an ``"other"`` village row of the same other values
    (after the rows kept, in the order first met), and how many were merged. The counts add up because a case
    lies in one village only."""
    kept: list[GroupCount] = []
    merged: dict[tuple[str, ...], int] = {}
    for row in rows:
        if 0 < row.count < SMALL_CELL:
            values = (*row.values[:village], OTHER_VILLAGES, *row.values[village + 1:])
            merged[values] = merged.get(values, 0) + row.count
        else:
            kept.append(row)
    small = len(rows) - len(kept)
    return [*kept, *(GroupCount(values, count) for values, count in merged.items())], small


def _cells(counts: Sequence[int], *, exact: bool) -> list[Shown]:
    return list(counts) if exact else suppressed_cells(counts)


def case_table(statistics: CaseStatistics, *, exact: bool) -> CaseTable:
    rows: Sequence[GroupCount] = statistics.rows
    merged_rows = None
    if not exact and GroupKey.VILLAGE in statistics.group_by:
        rows, merged_rows = merge_small_villages(rows, statistics.group_by.index(GroupKey.VILLAGE))
    cells = _cells([row.count for row in rows], exact=exact)
    return CaseTable(
        group_by=tuple(key.value for key in statistics.group_by),
        rows=tuple(CaseRow(row.values, cell) for row, cell in zip(rows, cells, strict=True)),
        total_cases=statistics.total_cases if exact else shown(statistics.total_cases),
        exact=exact,
        merged_rows=merged_rows,
    )


@dataclass(frozen=True)
class ReferralRow:
    """One group of referrals as shown; a figure is None when it is unknown or withheld."""

    values: tuple[str, ...]
    count: Shown
    accepted: Shown
    hours_to_accept_median: float | None
    hours_to_accept_p90: float | None
    hours_to_first_service_median: float | None
    hours_to_first_service_p90: float | None
    accept_sla_met: Shown
    accept_sla_missed: Shown
    first_service_sla_met: Shown
    first_service_sla_missed: Shown
    sla_compliance: float | None
    escalations: Shown
    open: Shown
    closed: Shown


@dataclass(frozen=True)
class ReferralTable:
    group_by: tuple[str, ...]
    rows: tuple[ReferralRow, ...]
    total_referrals: Shown
    exact: bool


def referral_table(statistics: ReferralStatistics, *, exact: bool) -> ReferralTable:
    cells = _cells([row.count for row in statistics.rows], exact=exact)
    return ReferralTable(
        group_by=tuple(key.value for key in statistics.group_by),
        rows=tuple(_referral_row(row, cell, exact=exact) for row, cell in zip(statistics.rows, cells, strict=True)),
        total_referrals=statistics.total_referrals if exact else shown(statistics.total_referrals),
        exact=exact,
    )


def _referral_row(figures: ReferralFigures, count: Shown, *, exact: bool) -> ReferralRow:
    def figure(value: float | None) -> float | None:
        if value is None or not (exact or figures.count >= SMALL_CELL):
            return None
        return round(value, 2)

    def tally(value: int) -> Shown:
        return value if exact else shown(value)

    return ReferralRow(
        values=figures.values,
        count=count,
        accepted=tally(figures.accepted),
        hours_to_accept_median=figure(figures.hours_to_accept_median),
        hours_to_accept_p90=figure(figures.hours_to_accept_p90),
        hours_to_first_service_median=figure(figures.hours_to_first_service_median),
        hours_to_first_service_p90=figure(figures.hours_to_first_service_p90),
        accept_sla_met=tally(figures.accept_sla_met),
        accept_sla_missed=tally(figures.accept_sla_missed),
        first_service_sla_met=tally(figures.first_service_sla_met),
        first_service_sla_missed=tally(figures.first_service_sla_missed),
        sla_compliance=figure(figures.sla_compliance),
        escalations=tally(figures.escalations),
        open=tally(figures.open),
        closed=tally(figures.closed),
    )
