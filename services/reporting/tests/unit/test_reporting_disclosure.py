"""What the public may see of statistics: small cells suppressed (primary and secondary), referral times and
shares withheld for small groups; whoever supervises the region sees it all exactly."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest

from reporting.domain.disclosure import (
    SUPPRESSED,
    CaseRow,
    ReferralRow,
    case_table,
    referral_table,
    shown,
    suppressed_cells,
)
from reporting.domain.statistics import (
    CaseStatistics,
    GroupCount,
    GroupKey,
    ReferralFigures,
    ReferralGroupKey,
    ReferralStatistics,
)

TIMES = ("hours_to_accept_median", "hours_to_accept_p90", "hours_to_first_service_median", "hours_to_first_service_p90")
TALLIES = (
    "accepted", "accept_sla_met", "accept_sla_missed", "first_service_sla_met", "first_service_sla_missed",
    "escalations", "open", "closed",
)


def figures(values: tuple[str, ...] = ("uptd_ppa",), count: int = 20, **changes: object) -> ReferralFigures:
    """A group of ``count`` referrals that went well enough, every figure distinct and above the small cell."""
    base = ReferralFigures(
        values=values,
        count=count,
        accepted=18,
        hours_to_accept_median=3.14159,
        hours_to_accept_p90=20.456,
        hours_to_first_service_median=30.5,
        hours_to_first_service_p90=71.999,
        accept_sla_met=10,
        accept_sla_missed=5,
        first_service_sla_met=10,
        first_service_sla_missed=5,
        escalations=8,
        open=9,
        closed=11,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# --- single cells and tables ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "public"), [(0, 0), (1, "<5"), (4, "<5"), (5, 5), (123, 123)])
def test_a_count_of_one_to_four_shows_as_fewer_than_five(count: int, public: int | str) -> None:
    assert shown(count) == public


def test_a_table_without_small_cells_is_shown_unchanged() -> None:
    assert suppressed_cells([5, 12, 0, 40]) == [5, 12, 0, 40]


def test_several_small_cells_each_show_as_fewer_than_five_and_nothing_else_is_hidden() -> None:
    assert suppressed_cells([1, 30, 4, 6, 2]) == ["<5", 30, "<5", 6, "<5"]


def test_a_lone_small_cell_hides_the_smallest_other_cell_too() -> None:
    # Without the second, the total minus the shown cells would give the 3 back.
    assert suppressed_cells([40, 3, 7, 12]) == [40, "<5", "<5", 12]


def test_secondary_suppression_passes_over_zeros() -> None:
    # A zero points at nobody and hiding it would protect nothing: the smallest non-zero cell goes instead.
    assert suppressed_cells([0, 2, 9, 0, 6]) == [0, "<5", 9, 0, "<5"]


def test_secondary_suppression_hides_one_cell_when_the_smallest_others_tie() -> None:
    assert suppressed_cells([8, 1, 8]).count(SUPPRESSED) == 2


def test_zeros_are_never_hidden() -> None:
    assert suppressed_cells([0, 0, 0]) == [0, 0, 0]
    assert suppressed_cells([0, 3, 0]) == [0, "<5", 0]


def test_a_single_row_table_suppresses_only_its_own_small_cell() -> None:
    assert suppressed_cells([3]) == ["<5"]
    assert suppressed_cells([17]) == [17]


def test_an_empty_table_stays_empty() -> None:
    assert suppressed_cells([]) == []


# --- case statistics ------------------------------------------------------------------------------------------


def case_statistics(*counts: int, total: int) -> CaseStatistics:
    return CaseStatistics(
        group_by=(GroupKey.REGENCY,),
        rows=tuple(GroupCount((f"62.{n:02d}",), count) for n, count in enumerate(counts, start=1)),
        total_cases=total,
    )


def test_case_table_for_the_public_suppresses_cells_and_keeps_the_groups() -> None:
    table = case_table(case_statistics(40, 3, 7, 12, total=62), exact=False)
    assert table.group_by == ("regency",)
    assert table.rows == (
        CaseRow(("62.01",), 40), CaseRow(("62.02",), "<5"), CaseRow(("62.03",), "<5"), CaseRow(("62.04",), 12),
    )
    assert table.total_cases == 62
    assert table.exact is False


def test_case_table_for_a_supervisor_is_exact() -> None:
    table = case_table(case_statistics(40, 3, 7, 12, total=62), exact=True)
    assert [row.count for row in table.rows] == [40, 3, 7, 12]
    assert table.total_cases == 62
    assert table.exact is True


@pytest.mark.parametrize(("total", "public"), [(0, 0), (1, "<5"), (4, "<5"), (5, 5)])
def test_a_total_of_one_to_four_is_suppressed_for_the_public_only(total: int, public: int | str) -> None:
    statistics = CaseStatistics(group_by=(), rows=(GroupCount((), total),), total_cases=total)
    assert case_table(statistics, exact=False).total_cases == public
    assert case_table(statistics, exact=False).rows == (CaseRow((), public),)
    assert case_table(statistics, exact=True).total_cases == total


# --- referral statistics --------------------------------------------------------------------------------------


def referral_statistics(*rows: ReferralFigures) -> ReferralStatistics:
    return ReferralStatistics(
        group_by=(ReferralGroupKey.AGENCY_TYPE,), rows=rows, total_referrals=sum(row.count for row in rows)
    )


def test_a_small_group_of_referrals_shows_the_public_no_times_or_shares() -> None:
    small = figures(("polres",), count=3, accepted=3, accept_sla_met=2, accept_sla_missed=1, first_service_sla_met=0,
                    first_service_sla_missed=0, escalations=1, open=2, closed=1)
    table = referral_table(referral_statistics(small, figures(count=20), figures(("rs",), count=30)), exact=False)
    row = table.rows[0]
    assert row.values == ("polres",)
    assert row.count == "<5"
    assert all(getattr(row, name) is None for name in (*TIMES, "sla_compliance"))
    assert (row.accepted, row.accept_sla_met, row.accept_sla_missed, row.escalations, row.open, row.closed) == (
        "<5", "<5", "<5", "<5", "<5", "<5",
    )
    assert row.first_service_sla_met == 0  # a zero points at nobody
    assert table.total_referrals == 53
    assert table.exact is False


def test_a_small_group_of_referrals_is_exact_for_a_supervisor() -> None:
    small = figures(("polres",), count=3, accepted=2, hours_to_accept_median=1.23456, accept_sla_met=1,
                    accept_sla_missed=1, first_service_sla_met=1, first_service_sla_missed=0, escalations=1,
                    open=2, closed=1)
    table = referral_table(referral_statistics(small), exact=True)
    row = table.rows[0]
    assert (row.count, row.accepted, row.accept_sla_met, row.accept_sla_missed, row.escalations) == (3, 2, 1, 1, 1)
    assert row.hours_to_accept_median == 1.23  # rounded to two decimals, like the public's
    assert row.hours_to_first_service_p90 == 72.0
    assert row.sla_compliance == 0.67
    assert table.total_referrals == 3
    assert table.exact is True


def test_a_group_of_five_or_more_shows_the_public_its_times_rounded_to_two_decimals() -> None:
    group = figures(count=5)
    row = referral_table(referral_statistics(group, figures(("rs",), count=50)), exact=False).rows[0]
    assert row.count == 5
    assert (
        row.hours_to_accept_median, row.hours_to_accept_p90, row.hours_to_first_service_median,
        row.hours_to_first_service_p90,
    ) == (3.14, 20.46, 30.5, 72.0)
    assert group.sla_compliance == 0.6667
    assert row.sla_compliance == 0.67
    assert [getattr(row, name) for name in TALLIES] == [getattr(group, name) for name in TALLIES]


def test_a_time_no_referral_reached_stays_unknown_whoever_asks() -> None:
    group = figures(count=20, hours_to_first_service_median=None, hours_to_first_service_p90=None)
    for exact in (False, True):
        row = referral_table(referral_statistics(group), exact=exact).rows[0]
        assert row.hours_to_first_service_median is None
        assert row.hours_to_first_service_p90 is None
        assert row.hours_to_accept_median == 3.14


def test_referral_counts_get_secondary_suppression_across_groups() -> None:
    rows = (figures(("a",), count=3), figures(("b",), count=40), figures(("c",), count=8))
    assert [row.count for row in referral_table(referral_statistics(*rows), exact=False).rows] == ["<5", 40, "<5"]
    assert [row.count for row in referral_table(referral_statistics(*rows), exact=True).rows] == [3, 40, 8]


def test_a_total_of_one_to_four_referrals_is_suppressed_for_the_public_only() -> None:
    statistics = referral_statistics(figures(count=4))
    assert referral_table(statistics, exact=False).total_referrals == "<5"
    assert referral_table(statistics, exact=True).total_referrals == 4


def test_every_figure_of_a_group_reaches_its_row() -> None:
    # A figure added to ReferralFigures but forgotten in the table would be silently dropped.
    shown_fields = {field.name for field in fields(ReferralRow)}
    assert {field.name for field in fields(ReferralFigures)} | {"sla_compliance"} == shown_fields


# --- SLA compliance -------------------------------------------------------------------------------------------


def test_sla_compliance_is_unknown_while_no_deadline_is_decided() -> None:
    undecided = figures(accept_sla_met=0, accept_sla_missed=0, first_service_sla_met=0, first_service_sla_missed=0)
    assert undecided.sla_compliance is None


def test_sla_compliance_is_the_share_met_of_both_kinds_of_deadline() -> None:
    group = figures(accept_sla_met=3, accept_sla_missed=1, first_service_sla_met=1, first_service_sla_missed=1)
    # 4 of 6 decided; the accept deadlines alone would give 0.75, the first-service ones 0.5.
    assert group.sla_compliance == 0.6667  # rounded to four decimals


@pytest.mark.parametrize(
    ("accept", "first_service", "compliance"),
    [
        ((2, 0), (0, 0), 1.0),  # (met, missed) of each kind
        ((0, 3), (0, 0), 0.0),
        ((0, 0), (1, 0), 1.0),
        ((0, 0), (0, 4), 0.0),
        ((1, 0), (0, 1), 0.5),
    ],
)
def test_sla_compliance_counts_a_kind_decided_alone(
    accept: tuple[int, int], first_service: tuple[int, int], compliance: float
) -> None:
    group = figures(
        accept_sla_met=accept[0], accept_sla_missed=accept[1],
        first_service_sla_met=first_service[0], first_service_sla_missed=first_service[1],
    )
    assert group.sla_compliance == compliance
