"""The SIMFONI export's rows, recap and columns, without a database."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reporting.domain.simfoni import (
    CLOSED,
    COLUMN_NAMES,
    COLUMNS,
    OPEN,
    RECAP_TOTAL,
    CaseRecord,
    SimfoniExport,
    Victim,
    column_table,
    guarded,
    recap,
    row,
    spreadsheet_rows,
)
from reporting.domain.statistics import StatsFilter
from reporting.entrypoints.exports import csv_bytes, xlsx_bytes
from shared.regions import load_regions

DOC = Path(__file__).parents[4] / "docs" / "simfoni-export.md"


def case(number: str = "6213-2026-00001", **fields: object) -> CaseRecord:
    defaults: dict[str, object] = {
        "case_number": number, "province_code": "62", "regency_code": "62.13",
        "reported_at": datetime(2026, 3, 3, 12, tzinfo=UTC), "place": "rumah_tangga", "channel": "hotline",
        "violence_types": ("fisik",), "victims": (Victim("perempuan", "6-12"),), "relationships": ("orang_tua",),
    }
    return CaseRecord(**{**defaults, **fields})  # type: ignore[arg-type]


def by_name(values: tuple[object, ...]) -> dict[str, object]:
    return dict(zip(COLUMN_NAMES, values, strict=True))


def test_the_columns_are_named_once_each_in_simfoni_terms_and_described_in_both_languages() -> None:
    assert COLUMN_NAMES == (
        "no_kasus", "tanggal_lapor", "provinsi", "nama_provinsi", "kabupaten_kota", "nama_kabupaten_kota",
        "kecamatan", "nama_kecamatan", "desa_kelurahan", "nama_desa_kelurahan", "bentuk_kekerasan", "jumlah_korban",
        "jenis_kelamin_korban", "kelompok_umur_korban", "tempat_kejadian", "hubungan_pelaku", "sumber_pengaduan",
        "status", "tanggal_ditutup", "alasan_ditutup",
    )
    assert all(column.indonesian and column.english for column in COLUMNS)
    assert by_name(tuple(column.values for column in COLUMNS))["alasan_ditutup"] == (
        "handled", "duplicate", "withdrawn", "referred_elsewhere", "unreachable",
    )


def test_an_open_case_becomes_one_row_of_its_facts() -> None:
    assert by_name(row(case())) == {
        "no_kasus": "6213-2026-00001", "tanggal_lapor": date(2026, 3, 3), "provinsi": "62",
        "nama_provinsi": "Kalimantan Tengah", "kabupaten_kota": "62.13",
        "nama_kabupaten_kota": "Kabupaten Barito Timur",
        "kecamatan": None, "nama_kecamatan": None, "desa_kelurahan": None, "nama_desa_kelurahan": None,
        "bentuk_kekerasan": "fisik", "jumlah_korban": 1, "jenis_kelamin_korban": "perempuan",
        "kelompok_umur_korban": "6-12", "tempat_kejadian": "rumah_tangga", "hubungan_pelaku": "orang_tua",
        "sumber_pengaduan": "hotline", "status": OPEN, "tanggal_ditutup": None, "alasan_ditutup": None,
    }


def test_each_region_is_named_beside_its_code_as_the_catalogue_names_it() -> None:
    catalogue = load_regions()
    village = catalogue.villages_of("62.13.01")[0]
    named = by_name(row(case(district_code="62.13.01", village_code=village)))
    assert (named["kecamatan"], named["nama_kecamatan"]) == ("62.13.01", catalogue.district_name("62.13.01"))
    assert (named["desa_kelurahan"], named["nama_desa_kelurahan"]) == (village, catalogue.village_name(village))
    assert (named["nama_kecamatan"], named["nama_desa_kelurahan"]) == ("Dusun Timur", "Tamiang Layang")
    city = by_name(row(case(regency_code="62.71")))
    assert city["nama_kabupaten_kota"] == "Kota Palangkaraya"
    # A code the catalogue does not hold is kept, with no name made up for it.
    unknown = by_name(row(case(province_code="99", regency_code="99.01", district_code="99.01.01")))
    assert (unknown["nama_provinsi"], unknown["nama_kabupaten_kota"], unknown["nama_kecamatan"]) == (None, None, None)
    assert unknown["kecamatan"] == "99.01.01"


def test_several_values_are_joined_types_in_simfoni_order_victims_in_victim_order() -> None:
    several = case(
        violence_types=("seksual", "fisik", "psikis"),  # as the database sorts them: alphabetically
        victims=(Victim("laki_laki", "13-17"), Victim("perempuan", "0-5"), Victim("perempuan", "unknown")),
        relationships=("tetangga", "orang_tua"),
    )
    values = by_name(row(several))
    assert values["bentuk_kekerasan"] == "fisik; psikis; seksual"
    assert values["jumlah_korban"] == 3
    assert values["jenis_kelamin_korban"] == "laki_laki; perempuan; perempuan"
    assert values["kelompok_umur_korban"] == "13-17; 0-5; unknown"
    assert values["hubungan_pelaku"] == "orang_tua; tetangga"
    # A value no vocabulary knows still shows, after the known ones.
    assert by_name(row(case(violence_types=("zzz_baru", "lainnya"))))["bentuk_kekerasan"] == "lainnya; zzz_baru"


def test_a_closed_case_has_its_status_day_and_reason_and_days_are_utc() -> None:
    wib = timezone(timedelta(hours=7))
    closed = case(reported_at=datetime(2026, 6, 1, 6, 30, tzinfo=wib),  # still 31 May in UTC
                  closed_at=datetime(2026, 6, 20, 23, 59, tzinfo=UTC), closure_reason="handled")
    values = by_name(row(closed))
    assert values["tanggal_lapor"] == date(2026, 5, 31)
    assert (values["status"], values["tanggal_ditutup"], values["alasan_ditutup"]) == (
        CLOSED, date(2026, 6, 20), "handled")


@pytest.mark.parametrize("value", ["=1+1", "+62", "-2", "@SUM(A1)", "\t=x", "\r=x"])
def test_a_cell_a_spreadsheet_would_run_as_a_formula_stays_text(value: str) -> None:
    assert guarded(value) == f"'{value}"


@pytest.mark.parametrize("value", ["fisik", "6-12", "62.13", "", 3, -3, None, date(2026, 1, 1)])
def test_other_cells_are_left_as_they_are(value: object) -> None:
    assert guarded(value) == value  # type: ignore[arg-type]


def test_the_rows_of_a_file_are_guarded() -> None:
    [values] = spreadsheet_rows([case("=HYPERLINK(\"http://x\")", channel="@evil")])
    assert by_name(values)["no_kasus"] == "'=HYPERLINK(\"http://x\")"
    assert by_name(values)["sumber_pengaduan"] == "'@evil"


def test_the_recap_counts_a_case_under_each_of_its_types_and_once_in_the_totals() -> None:
    cases = [
        case("1", violence_types=("fisik", "psikis")),
        case("2", violence_types=("fisik",), victims=(Victim("laki_laki", "13-17"),)),
        # Victims of both sexes: under each sex, once in the type's count of cases.
        case("3", violence_types=("seksual",), victims=(Victim("perempuan", "6-12"), Victim("laki_laki", "6-12"),
                                                        Victim("perempuan", "0-5"))),
    ]
    table = recap(cases)
    assert table.header == ("bentuk_kekerasan", "perempuan", "laki_laki", "jumlah_kasus")
    assert table.rows == (
        ("fisik", 1, 1, 2),
        ("psikis", 1, 0, 1),
        ("seksual", 1, 1, 1),
        ("eksploitasi", 0, 0, 0),
        ("perdagangan_orang", 0, 0, 0),
        ("penelantaran", 0, 0, 0),
        ("lainnya", 0, 0, 0),
        (RECAP_TOTAL, 2, 2, 3),  # four type counts, three cases
    )


def test_the_file_name_names_the_region_and_period() -> None:
    scope = StatsFilter(date(2026, 1, 1), date(2026, 6, 30), "62")
    assert SimfoniExport(scope, ()).filename("csv") == "simfoni-62-2026-01-01-2026-06-30.csv"
    district = StatsFilter(None, None, "62", "62.13")
    assert SimfoniExport(district, ()).filename("xlsx") == "simfoni-62.13-awal-akhir.xlsx"


def test_the_csv_has_a_bom_a_header_and_text_cells() -> None:
    content = csv_bytes(SimfoniExport(StatsFilter(), (case(closed_at=datetime(2026, 4, 1, tzinfo=UTC),
                                                          closure_reason="duplicate"),)))
    assert content.startswith(b"\xef\xbb\xbf")
    header, line = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    assert tuple(header) == COLUMN_NAMES
    assert dict(zip(header, line, strict=True))["tanggal_ditutup"] == "2026-04-01"


def test_the_workbook_reads_back_with_both_sheets() -> None:
    workbook = load_workbook(io.BytesIO(xlsx_bytes(SimfoniExport(StatsFilter(), (case(), case("2"))))))
    assert workbook.sheetnames == ["Kasus", "Rekap"]
    cases = workbook["Kasus"]
    assert cases.freeze_panes == "A2"
    assert [cell.value for cell in cases[1]] == list(COLUMN_NAMES)
    assert cases.max_row == 3
    assert cases.column_dimensions["A"].width >= len("6213-2026-00001")
    total = next(r for r in workbook["Rekap"].iter_rows(values_only=True) if r[0] == RECAP_TOTAL)
    assert total == (RECAP_TOTAL, 2, 0, 2)


def test_the_documented_column_table_is_the_one_the_code_makes() -> None:
    assert column_table() in DOC.read_text(encoding="utf-8"), "regenerate the table in docs/simfoni-export.md"
