"""The SIMFONI-PPA export: the non-personal facts of each case of a period and region, one row per case, in
SIMFONI's terms, so that the district UPTD PPA re-entering cases into SIMFONI types nothing twice.

``COLUMNS`` is the one list of the export's columns: its name (SIMFONI's Indonesian term), what it holds in
Indonesian and English, the values it can take, and how a case fills it. The CSV and XLSX files, the OpenAPI
description of their endpoints and docs/simfoni-export.md are all made from it.

The recap counts cases the SIMFONI way, as ``GET /v1/stats/cases?group_by=violence_type,victim_sex`` does: a case
with two violence types counts once under each (victims of both sexes: once under each sex), and once in the
total.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import get_args

from reporting.domain.region_names import district_name, province_name, regency_name, village_name
from reporting.domain.statistics import StatsFilter
from shared.contracts import AgeGroup, CaseClosed, Channel, Sex, ViolenceType
from shared.contracts.vocabulary import PlaceCategory, Relationship

SEPARATOR = "; "  # between the values of a column a case has several of
OPEN, CLOSED = "terbuka", "ditutup"

Cell = str | int | date | None


@dataclass(frozen=True)
class Victim:
    sex: str
    age_group: str


@dataclass(frozen=True)
class CaseRecord:
    """What the export knows of a case: the read models' facts, nothing personal. Times are UTC."""

    case_number: str
    province_code: str
    regency_code: str
    reported_at: datetime
    place: str
    channel: str
    violence_types: tuple[str, ...]
    victims: tuple[Victim, ...]  # in the order the case lists them
    relationships: tuple[str, ...]
    closed_at: datetime | None = None
    closure_reason: str | None = None
    district_code: str | None = None  # the kecamatan, when the report named one
    village_code: str | None = None  # the desa/kelurahan, likewise


def _in_order(values: Iterable[str], vocabulary: type[StrEnum]) -> str:
    """``values`` in the vocabulary's (SIMFONI's) order, any value it does not know last, joined."""
    order = {member.value: position for position, member in enumerate(vocabulary)}
    return SEPARATOR.join(sorted(values, key=lambda value: (order.get(value, len(order)), value)))


def _day(moment: datetime | None) -> date | None:
    """The UTC calendar day, the calendar of the period filter: a case listed for a period has its day in it."""
    if moment is None:
        return None
    return moment.date() if moment.tzinfo is None else moment.astimezone(UTC).date()


@dataclass(frozen=True)
class Column:
    name: str
    indonesian: str
    english: str
    value: Callable[[CaseRecord], Cell]
    values: tuple[str, ...] = ()  # the values it can hold, when they come from a vocabulary


def _vocabulary(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


CLOSURE_REASONS: tuple[str, ...] = get_args(CaseClosed.model_fields["reason"].annotation)

COLUMNS: tuple[Column, ...] = (
    Column("no_kasus", "Nomor kasus di Sinergi", "The case's number in Sinergi", lambda case: case.case_number),
    Column("tanggal_lapor", "Tanggal kasus dilaporkan (YYYY-MM-DD, UTC, seperti filter periode)",
           "Day the case was reported (YYYY-MM-DD, UTC, as the period filter)", lambda case: _day(case.reported_at)),
    Column("provinsi", "Kode provinsi Kemendagri (mis. 62)", "Kemendagri province code (e.g. 62)",
           lambda case: case.province_code),
    Column("nama_provinsi", "Nama provinsi (mis. Kalimantan Tengah)", "The province's name (e.g. Kalimantan Tengah)",
           lambda case: province_name(case.province_code)),
    Column("kabupaten_kota", "Kode kabupaten/kota Kemendagri (mis. 62.13)", "Kemendagri regency/city code (e.g. 62.13)",
           lambda case: case.regency_code),
    Column("nama_kabupaten_kota", "Nama kabupaten/kota (mis. Kabupaten Barito Timur)",
           "The regency's or city's name (e.g. Kabupaten Barito Timur)", lambda case: regency_name(case.regency_code)),
    Column("kecamatan", "Kode kecamatan Kemendagri (mis. 62.13.01); kosong bila laporan tidak menyebutnya",
           "Kemendagri district (kecamatan) code (e.g. 62.13.01); empty when the report named none",
           lambda case: case.district_code),
    Column("nama_kecamatan", "Nama kecamatan (mis. Dusun Timur)", "The district's name (e.g. Dusun Timur)",
           lambda case: district_name(case.district_code)),
    Column("desa_kelurahan", "Kode desa/kelurahan Kemendagri (mis. 62.13.01.1012); kosong bila laporan tidak "
           "menyebutnya", "Kemendagri village (desa/kelurahan) code (e.g. 62.13.01.1012); empty when the report "
           "named none", lambda case: case.village_code),
    Column("nama_desa_kelurahan", "Nama desa/kelurahan (mis. Tamiang Layang)", "The village's name (e.g. Tamiang "
           "Layang)", lambda case: village_name(case.village_code)),
    Column("bentuk_kekerasan", "Bentuk kekerasan, dipisah \"; \" bila lebih dari satu",
           "Violence types, separated by \"; \" when several",
           lambda case: _in_order(case.violence_types, ViolenceType), _vocabulary(ViolenceType)),
    Column("jumlah_korban", "Jumlah korban", "Number of victims", lambda case: len(case.victims)),
    Column("jenis_kelamin_korban", "Jenis kelamin tiap korban, urut korban, dipisah \"; \"",
           "Each victim's sex, in victim order, separated by \"; \"",
           lambda case: SEPARATOR.join(victim.sex for victim in case.victims), _vocabulary(Sex)),
    Column("kelompok_umur_korban", "Kelompok umur tiap korban, urut korban, dipisah \"; \"",
           "Each victim's age group, in victim order, separated by \"; \"",
           lambda case: SEPARATOR.join(victim.age_group for victim in case.victims), _vocabulary(AgeGroup)),
    Column("tempat_kejadian", "Tempat kejadian", "Place of the incident", lambda case: case.place,
           _vocabulary(PlaceCategory)),
    Column("hubungan_pelaku", "Hubungan pelaku dengan korban, dipisah \"; \" (tidak_diketahui bila tidak diketahui)",
           "The perpetrators' relationships to the victim, separated by \"; \" (tidak_diketahui when unknown)",
           lambda case: _in_order(case.relationships, Relationship), _vocabulary(Relationship)),
    Column("sumber_pengaduan", "Saluran pengaduan masuk", "Channel the report came in by", lambda case: case.channel,
           _vocabulary(Channel)),
    Column("status", "Status kasus", "Case status", lambda case: OPEN if case.closed_at is None else CLOSED,
           (OPEN, CLOSED)),
    Column("tanggal_ditutup", "Tanggal kasus ditutup (YYYY-MM-DD, UTC); kosong bila terbuka",
           "Day the case was closed (YYYY-MM-DD, UTC); empty while open", lambda case: _day(case.closed_at)),
    Column("alasan_ditutup", "Alasan kasus ditutup; kosong bila terbuka", "Why the case was closed; empty while open",
           lambda case: case.closure_reason, CLOSURE_REASONS),
)
COLUMN_NAMES = tuple(column.name for column in COLUMNS)


def row(case: CaseRecord) -> tuple[Cell, ...]:
    """The case as a row of the export, in the order of ``COLUMNS``."""
    return tuple(column.value(case) for column in COLUMNS)


# Characters that make a spreadsheet read a cell as a formula (OWASP: CSV injection), and tab and carriage
# return, which some spreadsheets strip before looking.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guarded(cell: Cell) -> Cell:
    """A text cell a spreadsheet would take for a formula, with a leading ``'`` so that it stays text. Our
    values come from vocabularies, so this is defence in depth."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return f"'{cell}"
    return cell


def spreadsheet_rows(cases: Iterable[CaseRecord]) -> list[tuple[Cell, ...]]:
    """The export's rows, every cell guarded against formula injection."""
    return [tuple(guarded(cell) for cell in row(case)) for case in cases]


# --- the recap --------------------------------------------------------------------------------------------------

RECAP_TOTAL = "total"  # the last row's label: every case, once


@dataclass(frozen=True)
class Recap:
    """Cases by violence type (rows) x victims' sex (columns), the last column and the last row counting each
    case once."""

    header: tuple[str, ...]
    rows: tuple[tuple[str | int, ...], ...]


def _known_first(present: Iterable[str], vocabulary: type[StrEnum]) -> list[str]:
    known = _vocabulary(vocabulary)
    return [*known, *sorted(set(present) - set(known))]


def recap(cases: Sequence[CaseRecord]) -> Recap:
    """Every violence type of the vocabulary (a row of zeros when no case has it), then any other type present."""
    types = _known_first((kind for case in cases for kind in case.violence_types), ViolenceType)
    sexes = _known_first((victim.sex for case in cases for victim in case.victims), Sex)

    def counts(label: str, of: Sequence[CaseRecord]) -> tuple[str | int, ...]:
        by_sex = [sum(1 for case in of if any(victim.sex == sex for victim in case.victims)) for sex in sexes]
        return (label, *by_sex, len(of))

    rows = [counts(kind, [case for case in cases if kind in case.violence_types]) for kind in types]
    return Recap(header=("bentuk_kekerasan", *sexes, "jumlah_kasus"), rows=(*rows, counts(RECAP_TOTAL, cases)))


RECAP_NOTE = (
    "Kasus dengan beberapa bentuk kekerasan dihitung pada setiap bentuknya, korban beberapa jenis kelamin pada "
    "setiap jenis kelaminnya; kolom jumlah_kasus dan baris total menghitung setiap kasus sekali.",
    "A case with several violence types counts under each (victims of both sexes: under each sex); the "
    "jumlah_kasus column and the total row count each case once.",
)


# --- the export as a whole --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SimfoniExport:
    """The cases of ``scope`` (the period and the region the reader supervises), ordered by report time."""

    scope: StatsFilter
    cases: tuple[CaseRecord, ...]

    def filename(self, extension: str) -> str:
        """``simfoni-<region>-<from>-<to>.<extension>``: the regency when one is named, else the province; ``awal``
        and ``akhir`` for an open period."""
        region = self.scope.regency_code or self.scope.province_code or "semua"
        start = self.scope.date_from.isoformat() if self.scope.date_from else "awal"
        end = self.scope.date_to.isoformat() if self.scope.date_to else "akhir"
        return f"simfoni-{region}-{start}-{end}.{extension}"


def column_table() -> str:
    """The columns as a Markdown table (the endpoints' description and docs/simfoni-export.md)."""
    lines = ["| kolom | keterangan | description | nilai / values |", "|---|---|---|---|"]
    for column in COLUMNS:
        values = ", ".join(f"`{value}`" for value in column.values)
        lines.append(f"| `{column.name}` | {column.indonesian} | {column.english} | {values} |")
    return "\n".join(lines)
