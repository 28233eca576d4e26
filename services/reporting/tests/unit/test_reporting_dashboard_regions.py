"""The dashboard's walk down the regions, rendered without a database: which breakdown each level shows, region
names on the bars, links one level down that keep the period and language, and breadcrumbs back up."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser

from reporting.domain.disclosure import OTHER_VILLAGES, CaseRow, CaseTable, ReferralTable, Shown
from reporting.domain.statistics import GroupKey, StatsFilter
from reporting.entrypoints.dashboard_regions import breadcrumbs, region_key
from reporting.entrypoints.dashboard_view import chart, charts_for, render_dashboard
from shared.regions import load_regions
from shared.validation_messages import Language

PERIOD = {"date_from": date(2031, 1, 1), "date_to": date(2031, 12, 31)}
CATALOGUE = load_regions()
VILLAGE = CATALOGUE.villages_of("62.13.01")[0]


def table(key: GroupKey, counts: dict[str, Shown]) -> CaseTable:
    rows = tuple(CaseRow((value,), count) for value, count in counts.items())
    return CaseTable(group_by=(key.value,), rows=rows, total_cases=40, exact=False)


def page(scope: StatsFilter, regions: dict[str, Shown], language: Language = Language.ID) -> str:
    cases = {key: table(key, {}) for key in charts_for(scope)}
    cases[region_key(scope)] = table(region_key(scope), regions)
    return render_dashboard(language, scope, cases, ReferralTable(("agency",), (), 0, exact=False))


class Links(HTMLParser):
    """The links of a page (href and text), and of its breadcrumbs apart."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href") or ""

    def handle_data(self, data: str) -> None:
        if self._href is not None and data.strip():
            self.links.append((self._href, data.strip()))
            self._href = None


def links(html: str) -> dict[str, str]:
    parser = Links()
    parser.feed(html)
    return {text: href for href, text in parser.links}


def test_each_level_breaks_the_cases_down_by_the_level_below() -> None:
    assert region_key(StatsFilter()) is GroupKey.PROVINCE
    assert region_key(StatsFilter(province_code="62")) is GroupKey.REGENCY
    assert region_key(StatsFilter(regency_code="62.13")) is GroupKey.DISTRICT
    assert region_key(StatsFilter(district_code="62.13.01")) is GroupKey.VILLAGE
    assert charts_for(StatsFilter(district_code="62.13.01")) == (
        GroupKey.VILLAGE, GroupKey.VIOLENCE_TYPE, GroupKey.AGE_GROUP, GroupKey.MONTH)


def test_a_province_shows_its_regencies_by_name_each_a_link_one_level_down() -> None:
    html = page(StatsFilter(**PERIOD, province_code="62"), {"62.13": 12, "62.71": "<5"})
    found = links(html)
    assert found["Kabupaten Barito Timur"] == "?lang=id&from=2031-01-01&to=2031-12-31&province=62&regency=62.13"
    assert found["Kota Palangkaraya"] == "?lang=id&from=2031-01-01&to=2031-12-31&province=62&regency=62.71"
    assert found["Seluruh Indonesia"] == "?lang=id&from=2031-01-01&to=2031-12-31"
    assert '<span aria-current="page">Provinsi Kalimantan Tengah</span>' in html
    assert "Kasus menurut kabupaten/kota" in html
    assert '<details open>' in html  # the region table, with its links, is open


def test_a_regency_shows_its_kecamatan_and_the_way_back_up() -> None:
    scope = StatsFilter(**PERIOD, province_code="62", regency_code="62.13")
    html = page(scope, {"62.13.01": 9, "62.13.02": 6, "unknown": 5}, Language.EN)
    found = links(html)
    assert found["Dusun Timur"] == (
        "?lang=en&from=2031-01-01&to=2031-12-31&province=62&regency=62.13&district=62.13.01")
    assert "Not stated" not in found  # "unknown" is counted, named, and leads nowhere
    assert "Not stated" in html
    assert [crumb.label for crumb in breadcrumbs(Language.EN, scope)] == [
        "All of Indonesia", "Kalimantan Tengah Province", "Kabupaten Barito Timur"]
    assert found["Kalimantan Tengah Province"] == "?lang=en&from=2031-01-01&to=2031-12-31&province=62"
    assert "Cases by district (kecamatan)" in html


def test_a_kecamatan_shows_its_desa_with_no_further_links_and_says_referrals_are_the_regencys() -> None:
    scope = StatsFilter(**PERIOD, district_code="62.13.01")
    html = page(scope, {VILLAGE: 7, OTHER_VILLAGES: "<5"})
    found = links(html)
    assert CATALOGUE.village_name(VILLAGE) not in found
    assert CATALOGUE.village_name(VILLAGE) in html
    assert "Desa/kelurahan lain (digabung)" in html
    assert [crumb.label for crumb in breadcrumbs(Language.ID, scope)] == [
        "Seluruh Indonesia", "Provinsi Kalimantan Tengah", "Kabupaten Barito Timur", "Kecamatan Dusun Timur"]
    assert found["Kabupaten Barito Timur"] == "?lang=id&from=2031-01-01&to=2031-12-31&province=62&regency=62.13"
    assert 'id="referrals-of-regency"' in html
    assert 'value="62.13.01"' in html  # the filter form keeps the kecamatan
    # The language switch stays where the reader is.
    assert found["English"] == "?lang=en&from=2031-01-01&to=2031-12-31&regency=62.13&district=62.13.01"


def test_all_of_indonesia_shows_the_provinces_by_name() -> None:
    html = page(StatsFilter(**PERIOD), {"62": 20, "75": 8})
    assert links(html)["Kalimantan Tengah"] == "?lang=id&from=2031-01-01&to=2031-12-31&province=62"
    assert '<span aria-current="page">Seluruh Indonesia</span>' in html


def test_a_long_name_starts_at_the_left_edge_on_its_own_line_above_its_bar() -> None:
    drawn = chart(Language.ID, GroupKey.VIOLENCE_TYPE, table(GroupKey.VIOLENCE_TYPE, {"perdagangan_orang": 6}))
    html = page(StatsFilter(**PERIOD, province_code="62"), {"62.02": 6})
    assert drawn.bars[0].label == "Perdagangan orang (TPPO)"
    assert '<text class="label" x="0"' in html
    assert 'text-anchor="end"' not in html  # nothing is drawn leftwards off the chart
