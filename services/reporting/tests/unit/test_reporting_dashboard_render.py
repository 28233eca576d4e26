"""The dashboard page rendered from statistics as shown, without a database: bars scale with their counts, a
suppressed count is a short hatched bar labelled "<5", and the page speaks Bahasa Indonesia or English."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

import pytest

from reporting.domain.disclosure import CaseRow, CaseTable, ReferralRow, ReferralTable, Shown
from reporting.domain.statistics import GroupKey, StatsFilter
from reporting.entrypoints.dashboard_labels import month_label, number
from reporting.entrypoints.dashboard_view import (
    BAR_SPACE,
    NO_FIGURE,
    SUPPRESSED_WIDTH,
    chart,
    referral_line,
    render_dashboard,
)
from shared.validation_messages import Language

SCOPE = StatsFilter(date(2031, 1, 1), date(2031, 12, 31), "62", None)


def table(key: GroupKey, counts: dict[str, Shown], *, total: Shown = 40, exact: bool = False) -> CaseTable:
    return CaseTable(
        group_by=(key.value,),
        rows=tuple(CaseRow((value,), count) for value, count in counts.items()),
        total_cases=total,
        exact=exact,
    )


def referral(agency: str, count: Shown, **figures: object) -> ReferralRow:
    defaults: dict[str, object] = {
        "accepted": count, "hours_to_accept_median": None, "hours_to_accept_p90": None,
        "hours_to_first_service_median": None, "hours_to_first_service_p90": None, "accept_sla_met": 0,
        "accept_sla_missed": 0, "first_service_sla_met": 0, "first_service_sla_missed": 0, "sla_compliance": None,
        "escalations": 0, "open": 0, "closed": 0,
    }
    return ReferralRow(values=(agency,), count=count, **{**defaults, **figures})  # type: ignore[arg-type]


def cases(*, exact: bool = False) -> dict[GroupKey, CaseTable]:
    small: Shown = 3 if exact else "<5"
    return {
        GroupKey.REGENCY: table(GroupKey.REGENCY, {"62.01": 20, "62.02": 10, "62.03": small, "62.04": small},
                                exact=exact),
        GroupKey.VIOLENCE_TYPE: table(GroupKey.VIOLENCE_TYPE, {"psikis": 12, "fisik": 30, "seksual": 8}, exact=exact),
        GroupKey.AGE_GROUP: table(GroupKey.AGE_GROUP, {"6-12": 15, "25-44": 25}, exact=exact),
        GroupKey.MONTH: table(GroupKey.MONTH, {"2031-03": 25, "2031-05": 15}, exact=exact),
    }


def referrals(*, exact: bool = False) -> ReferralTable:
    return ReferralTable(
        group_by=("agency",),
        rows=(
            referral("uptd-ppa-62.01", 8, hours_to_accept_median=2.5, hours_to_accept_p90=10.25,
                     hours_to_first_service_median=12.0, hours_to_first_service_p90=30.0, sla_compliance=0.875,
                     escalations=1, open=3, closed=5),
            referral("police-ppa-62.01", 2 if exact else "<5", accepted=2 if exact else "<5"),
        ),
        total_referrals=10,
        exact=exact,
    )


class Elements(HTMLParser):
    """Every start tag with its attributes, and the page's text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.text.append(data.strip())


def parse(html: str) -> Elements:
    elements = Elements()
    elements.feed(html)
    return elements


def page(language: Language = Language.ID, *, exact: bool = False) -> str:
    return render_dashboard(language, SCOPE, cases(exact=exact), referrals(exact=exact))


def test_bars_are_proportional_to_their_counts_and_a_suppressed_one_is_short_and_hatched() -> None:
    by_regency = chart(Language.ID, GroupKey.REGENCY, cases()[GroupKey.REGENCY])
    widths = {bar.value: bar.width for bar in by_regency.bars}
    assert widths == {"62.01": BAR_SPACE, "62.02": BAR_SPACE / 2, "62.03": SUPPRESSED_WIDTH,
                      "62.04": SUPPRESSED_WIDTH}
    assert [(bar.shown, bar.suppressed) for bar in by_regency.bars] == [
        ("20", False), ("10", False), ("<5", True), ("<5", True)
    ]

    rects = [attrs for tag, attrs in parse(page()).tags if tag == "rect" and "bar" in attrs.get("class", "")]
    assert len(rects) == 4 + 3 + 2 + 3  # regencies, types, age groups, March to May
    suppressed = [attrs for attrs in rects if "suppressed" in attrs["class"]]
    assert [attrs["data-count"] for attrs in suppressed] == ["<5", "<5"]
    assert all(attrs["fill"] == "url(#hatch-regency)" for attrs in suppressed)
    assert max(float(attrs["width"]) for attrs in rects) == BAR_SPACE


def test_exact_figures_are_drawn_to_scale() -> None:
    by_regency = chart(Language.ID, GroupKey.REGENCY, cases(exact=True)[GroupKey.REGENCY])
    assert [bar.width for bar in by_regency.bars] == [BAR_SPACE, BAR_SPACE / 2, BAR_SPACE * 3 / 20,
                                                      BAR_SPACE * 3 / 20]
    assert not any(bar.suppressed for bar in by_regency.bars)
    html = page(exact=True)
    assert 'data-count="<5"' not in html
    assert 'class="view exact"' in html


def test_types_and_age_groups_read_in_simfoni_order_and_months_without_cases_show_as_zero() -> None:
    by_type = chart(Language.ID, GroupKey.VIOLENCE_TYPE, cases()[GroupKey.VIOLENCE_TYPE])
    assert [bar.value for bar in by_type.bars] == ["fisik", "psikis", "seksual"]
    by_month = chart(Language.EN, GroupKey.MONTH, cases()[GroupKey.MONTH])
    assert [(bar.label, bar.shown, bar.width) for bar in by_month.bars] == [
        ("Mar 2031", "25", BAR_SPACE), ("Apr 2031", "0", 0.0), ("May 2031", "15", BAR_SPACE * 15 / 25)
    ]
    empty = chart(Language.ID, GroupKey.REGENCY, table(GroupKey.REGENCY, {}, total=0))
    assert empty.bars == ()


def test_the_page_is_in_bahasa_indonesia_with_a_switch_to_english() -> None:
    html = page(Language.ID)
    text = " ".join(parse(html).text)
    assert '<html lang="id">' in html
    for heading in ("Kasus menurut kabupaten/kota", "Kasus menurut bentuk kekerasan",
                    "Kasus menurut kelompok umur korban", "Kasus menurut bulan pelaporan",
                    "Rujukan dan waktu tanggap per lembaga", "Kepatuhan SLA"):
        assert heading in text, heading
    for words in ("Fisik", "6-12 tahun", "Mei 2031", f"1 Jan 2031 {NO_FIGURE} 31 Des 2031",
                  "Provinsi Kalimantan Tengah"):
        assert words in text, words
    assert "<5 berarti 1 sampai 4" in text
    assert "dihitung di masing-masing bentuk, tetapi hanya sekali dalam jumlah kasus" in text
    links = [attrs["href"] for tag, attrs in parse(html).tags if tag == "a" and attrs.get("id") == "language-switch"]
    assert links == ["?lang=en&from=2031-01-01&to=2031-12-31&province=62"]


def test_the_page_in_english() -> None:
    html = page(Language.EN)
    text = " ".join(parse(html).text)
    assert '<html lang="en">' in html
    for heading in ("Cases by regency/city", "Cases by type of violence", "Cases by victims' age group",
                    "Cases by month reported", "Referrals and response times by agency", "SLA compliance"):
        assert heading in text, heading
    for words in ("Physical", "Psychological", "6-12 years"):
        assert words in text, words
    assert "<5 means 1 to 4" in text
    assert "Kasus menurut" not in text
    inputs = {attrs.get("name"): attrs.get("value") for tag, attrs in parse(html).tags if tag == "input"}
    assert inputs == {"lang": "en", "from": "2031-01-01", "to": "2031-12-31", "province": "62", "regency": "",
                      "district": ""}


def test_the_referral_table_has_a_row_per_agency_with_formatted_figures() -> None:
    line = referral_line(Language.ID, referrals().rows[0])
    assert (line.agency, line.count, line.accept_median, line.accept_p90, line.service_median, line.sla,
            line.escalations, line.open, line.closed) == (
        "uptd-ppa-62.01", "8", "2,5", "10,2", "12,0", "88%", "1", "3", "5"
    )
    english = referral_line(Language.EN, referrals().rows[0])
    assert (english.accept_median, english.sla) == ("2.5", "88%")
    withheld = referral_line(Language.ID, referrals().rows[1])
    assert (withheld.count, withheld.accepted) == ("<5", "<5")
    assert (withheld.accept_median, withheld.sla) == (NO_FIGURE, NO_FIGURE)

    html = page()
    rows = re.findall(r'<tr data-agency="([^"]+)">', html)
    assert rows == ["uptd-ppa-62.01", "police-ppa-62.01"]


def test_what_is_rendered_is_escaped() -> None:
    hostile = {**cases(), GroupKey.REGENCY: table(GroupKey.REGENCY, {"<script>x</script>": 9})}
    html = render_dashboard(Language.ID, SCOPE, hostile, referrals())
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(("language", "value", "expected"), [
    (Language.ID, 1234.5, "1.234,5"), (Language.EN, 1234.5, "1,234.5"),
])
def test_numbers_and_months_in_each_language(language: Language, value: float, expected: str) -> None:
    assert number(language, value, 1) == expected
    assert month_label(language, "2031-08") == {"id": "Agu 2031", "en": "Aug 2031"}[language.value]
    assert month_label(language, "not a month") == "not a month"
