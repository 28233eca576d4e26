"""The dashboard page from statistics as shown (``CaseTable``, ``ReferralTable``): charts as inline SVG bars and
a referral table per agency, rendered with Jinja2. Pure: no database, no request; the tests render it directly.

A bar's length is proportional to its count, against the longest bar of its chart; a suppressed count (``"<5"``)
is a short hatched bar of fixed length, so its drawing tells no more than its label does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from reporting.domain.disclosure import CaseTable, ReferralRow, ReferralTable, Shown
from reporting.domain.region_names import REGION_KEYS
from reporting.domain.statistics import GroupKey, StatsFilter
from reporting.entrypoints.dashboard_labels import MONTHS, TEXT, label, number
from reporting.entrypoints.dashboard_regions import bar_label, breadcrumbs, drill_url, region_key, url
from shared.contracts import AgeGroup, ViolenceType
from shared.validation_messages import Language

TEMPLATES = Path(__file__).parent / "templates"

# The charts after the region chart, in the order shown. Each is one breakdown of the cases.
TOPIC_CHARTS = (GroupKey.VIOLENCE_TYPE, GroupKey.AGE_GROUP, GroupKey.MONTH)

# Geometry of a chart, in SVG user units. Each category's name stands on its own line above its bar, so a long
# name ("Perdagangan orang (TPPO)", "Kabupaten Kotawaringin Timur") is never cut off, and the chart is narrow
# enough (360) to be drawn at full size on a phone 390 px wide.
LABEL_WIDTH = 0  # the bars start at the left edge, under their names
LABEL_HEIGHT = 16  # the name's line
BAR_SPACE = 300  # the longest bar
CHART_WIDTH = BAR_SPACE + 60  # room for the count after the longest bar
BAR_HEIGHT = 16
ROW_HEIGHT = LABEL_HEIGHT + BAR_HEIGHT + 8
SUPPRESSED_WIDTH = 14
NO_FIGURE = "\N{EN DASH}"  # a time or share unknown or withheld
MAX_FILLED_MONTHS = 120  # months without cases are drawn as zero bars, up to ten years


@dataclass(frozen=True)
class Bar:
    value: str  # the group value, e.g. "fisik"
    label: str
    shown: str  # the count as shown: "12", "<5"
    width: float
    suppressed: bool
    y: int
    url: str | None = None  # one level down the regions, for a region chart's bar


def charts_for(scope: StatsFilter) -> tuple[GroupKey, ...]:
    """The breakdowns the page shows for ``scope``: the regions one level below it, then the topics."""
    return (region_key(scope), *TOPIC_CHARTS)


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    caption: str
    bars: tuple[Bar, ...]
    region: bool = False  # the region chart: its table, named regions and links down, is shown open

    @property
    def height(self) -> int:
        return max(len(self.bars), 1) * ROW_HEIGHT + 4


@dataclass(frozen=True)
class ReferralLine:
    """One agency's row of the referral table, every figure formatted."""

    agency: str
    count: str
    accepted: str
    accept_median: str
    accept_p90: str
    service_median: str
    service_p90: str
    sla: str
    sla_width: float  # of a 60-unit meter; 0 when unknown
    escalations: str
    open: str
    closed: str


def render_dashboard(
    language: Language, scope: StatsFilter, cases: Mapping[GroupKey, CaseTable], referrals: ReferralTable
) -> str:
    """The page in ``language`` for the cases broken down by each of ``charts_for(scope)`` and the referrals by
    agency."""
    text = TEXT[language]
    keys = charts_for(scope)
    tables = [cases[key] for key in keys]
    form = {
        "from": scope.date_from.isoformat() if scope.date_from else "",
        "to": scope.date_to.isoformat() if scope.date_to else "",
        "province": scope.province_code or "",
        "regency": scope.regency_code or "",
        "district": scope.district_code or "",
    }
    other = Language.EN if language is Language.ID else Language.ID
    region = {name: form[name] for name in ("province", "regency", "district") if form[name]}
    return _environment().get_template("dashboard.html").render(
        language=language.value,
        text=text,
        exact=referrals.exact and all(table.exact for table in tables),
        period=_period(language, scope),
        region=_region(language, scope),
        total_cases=shown(language, tables[0].total_cases),
        total_referrals=shown(language, referrals.total_referrals),
        charts=[chart(language, key, cases[key], scope) for key in keys],
        referrals=[referral_line(language, row) for row in referrals.rows],
        referrals_of_regency=scope.district_code is not None,
        breadcrumbs=breadcrumbs(language, scope),
        form=form,
        other_language_url=url(other, scope, **region),
        geometry={"label_width": LABEL_WIDTH, "chart_width": CHART_WIDTH, "row_height": ROW_HEIGHT,
                  "bar_height": BAR_HEIGHT, "label_height": LABEL_HEIGHT},
    )


def shown(language: Language, count: Shown) -> str:
    return count if isinstance(count, str) else number(language, count)


def chart(language: Language, key: GroupKey, table: CaseTable, scope: StatsFilter | None = None) -> Chart:
    """The bars of a one-key breakdown, in the order that reads best for the key; a region's bar is named, and
    leads one level down when ``scope`` (where the page is) is given."""
    rows = _ordered(key, [(row.values[0], row.count) for row in table.rows if len(row.values) == 1])
    longest = max((count for _, count in rows if isinstance(count, int)), default=0)
    bars = []
    for index, (value, count) in enumerate(rows):
        suppressed = isinstance(count, str)
        if isinstance(count, str):
            width = float(SUPPRESSED_WIDTH)
        else:
            width = round(BAR_SPACE * count / longest, 1) if longest else 0.0
        region = key in REGION_KEYS
        bars.append(Bar(
            value=value, label=bar_label(language, key, value) if region else label(language, key.value, value),
            shown=shown(language, count), width=width, suppressed=suppressed, y=index * ROW_HEIGHT + 2,
            url=drill_url(language, scope, key, value) if region and scope is not None else None,
        ))
    text = TEXT[language]
    return Chart(key=key.value, title=text[f"chart_{key.value}"], caption=text[f"caption_{key.value}"],
                 bars=tuple(bars), region=key in REGION_KEYS)


def _ordered(key: GroupKey, rows: list[tuple[str, Shown]]) -> list[tuple[str, Shown]]:
    if key is GroupKey.VIOLENCE_TYPE:
        return sorted(rows, key=lambda row: _rank(row[0], [member.value for member in ViolenceType]))
    if key is GroupKey.AGE_GROUP:
        return sorted(rows, key=lambda row: _rank(row[0], [member.value for member in AgeGroup]))
    if key is GroupKey.MONTH:
        return _every_month(sorted(rows))
    return rows


def _rank(value: str, order: Sequence[str]) -> tuple[int, str]:
    return (order.index(value) if value in order else len(order), value)


def _every_month(rows: list[tuple[str, Shown]]) -> list[tuple[str, Shown]]:
    """Months without cases between the first and the last with some, as zero (a zero points at nobody)."""
    try:
        months = [(int(value[:4]), int(value[5:7])) for value, _ in rows]
    except ValueError:
        return rows
    if not months:
        return rows
    (first_year, first_month), (last_year, last_month) = months[0], months[-1]
    span = (last_year - first_year) * 12 + last_month - first_month + 1
    if span > MAX_FILLED_MONTHS:
        return rows
    counts = dict(rows)
    filled: list[tuple[str, Shown]] = []
    for offset in range(span):
        year, month = divmod(first_year * 12 + first_month - 1 + offset, 12)
        value = f"{year:04d}-{month + 1:02d}"
        filled.append((value, counts.get(value, 0)))
    return filled


def referral_line(language: Language, row: ReferralRow) -> ReferralLine:
    def hours(value: float | None) -> str:
        return NO_FIGURE if value is None else number(language, value, 1)

    compliance = row.sla_compliance
    return ReferralLine(
        agency=row.values[0] if row.values else "",
        count=shown(language, row.count),
        accepted=shown(language, row.accepted),
        accept_median=hours(row.hours_to_accept_median),
        accept_p90=hours(row.hours_to_accept_p90),
        service_median=hours(row.hours_to_first_service_median),
        service_p90=hours(row.hours_to_first_service_p90),
        sla=NO_FIGURE if compliance is None else f"{number(language, compliance * 100, 0)}%",
        sla_width=0.0 if compliance is None else round(60 * compliance, 1),
        escalations=shown(language, row.escalations),
        open=shown(language, row.open),
        closed=shown(language, row.closed),
    )


def _day(language: Language, day: date) -> str:
    return f"{day.day} {MONTHS[language][day.month - 1]} {day.year}"


def _period(language: Language, scope: StatsFilter) -> str:
    if scope.date_from is None and scope.date_to is None:
        return TEXT[language]["all_time"]
    start = _day(language, scope.date_from) if scope.date_from else "…"
    end = _day(language, scope.date_to) if scope.date_to else "…"
    return f"{start} {NO_FIGURE} {end}"


def _region(language: Language, scope: StatsFilter) -> str:
    """Where the page is, by name: the last of its breadcrumbs."""
    return breadcrumbs(language, scope)[-1].label


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )

