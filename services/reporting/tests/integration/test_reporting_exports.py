"""The SIMFONI exports against the real Postgres and broker: case events in, CSV and XLSX files out."""

from __future__ import annotations

import asyncio
import csv
import io
import random
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from openpyxl import load_workbook

from reporting.domain.simfoni import COLUMN_NAMES, RECAP_TOTAL
from services.reporting.tests.integration.support import publish
from shared.auth import Role
from shared.contracts import AgeGroup, CaseClosed, CaseReported, Channel, Sex, ViolenceType
from shared.contracts.examples import example_case_reported
from shared.contracts.intake import PerpetratorFacts, VictimFacts
from shared.contracts.vocabulary import PlaceCategory, Relationship

pytestmark = pytest.mark.integration

# A far-off year and a province no other test reports in (Papua Tengah, 94): cases of an earlier run or of
# other tests never show here.
YEAR = random.randint(2200, 2999)
PROVINCE = "94"
THIS_YEAR = {"from": f"{YEAR}-01-01", "to": f"{YEAR}-12-31", "province": PROVINCE}
CSV_URL, XLSX_URL = "/v1/exports/simfoni.csv", "/v1/exports/simfoni.xlsx"


def at(month: int, day: int) -> datetime:
    return datetime(YEAR, month, day, 12, tzinfo=UTC)


def case_reported(regency: str, number: int, reported_at: datetime, **fields: Any) -> CaseReported:
    return example_case_reported(
        case_id=uuid4(), case_number=f"{regency.replace('.', '')}-{YEAR}-{number:05d}", province_code=PROVINCE,
        regency_code=regency, reported_at=reported_at, **fields,
    )


TWO_TYPES = case_reported(
    f"{PROVINCE}.01", 1, at(2, 1), violence_types=(ViolenceType.PSIKIS, ViolenceType.FISIK),
    victims=(VictimFacts(sex=Sex.PEREMPUAN, age_group=AgeGroup.AGE_6_12),
             VictimFacts(sex=Sex.LAKI_LAKI, age_group=AgeGroup.AGE_13_17)),
    perpetrators=(PerpetratorFacts(relationship=Relationship.ORANG_TUA),), place=PlaceCategory.RUMAH_TANGGA,
    channel=Channel.HOTLINE, district_code=f"{PROVINCE}.01.01", village_code=f"{PROVINCE}.01.01.1001",
)
CLOSED = case_reported(
    f"{PROVINCE}.01", 2, at(3, 1), violence_types=(ViolenceType.SEKSUAL,),
    victims=(VictimFacts(sex=Sex.PEREMPUAN, age_group=AgeGroup.AGE_13_17),),
    perpetrators=(PerpetratorFacts(relationship=Relationship.TETANGGA),
                  PerpetratorFacts(relationship=Relationship.GURU)), place=PlaceCategory.SEKOLAH, channel=Channel.WEB,
)
OTHER_REGENCY = case_reported(
    f"{PROVINCE}.02", 3, at(4, 1), violence_types=(ViolenceType.PENELANTARAN,),
    victims=(VictimFacts(sex=Sex.LAKI_LAKI, age_group=AgeGroup.AGE_0_5),), place=PlaceCategory.LAINNYA,
    channel=Channel.WALK_IN,
)
CLOSURE = CaseClosed(
    case_id=CLOSED.case_id, case_number=CLOSED.case_number, province_code=PROVINCE, regency_code=CLOSED.regency_code,
    reason="handled", closed_by="staff-export-test", occurred_at=datetime(YEAR, 5, 20, 8, tzinfo=UTC),
)


def admin(client: httpx.AsyncClient, province: str = PROVINCE) -> dict[str, str]:
    headers: dict[str, str] = client.bearer(  # type: ignore[attr-defined]
        Role.PROVINCE_ADMIN, user_id=f"admin-{province}", province_code=province
    )
    return headers


@pytest.fixture(scope="module")
async def published(reporting: httpx.AsyncClient, producer: AIOKafkaProducer) -> None:
    """The module's cases and closure, published the way intake's outbox relay does, and counted."""
    await publish(producer, TWO_TYPES, CLOSED, OTHER_REGENCY, CLOSURE)
    expected = [{"status": "closed", "count": 1}, {"status": "open", "count": 2}]
    rows = None
    try:
        async with asyncio.timeout(30):  # consumer-group joins take seconds
            while rows != expected:
                await asyncio.sleep(0.2)
                response = await reporting.get(
                    "/v1/stats/cases", params={**THIS_YEAR, "group_by": "status"}, headers=admin(reporting)
                )
                rows = response.json()["rows"]
    except TimeoutError:
        pytest.fail(f"expected {expected}, still {rows}")


def csv_rows(response: httpx.Response) -> list[dict[str, str]]:
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    header, *lines = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    assert tuple(header) == COLUMN_NAMES
    return [dict(zip(header, line, strict=True)) for line in lines]


def as_text(value: object) -> str:
    """A cell read back from the workbook, written as the CSV writes it."""
    if value is None:
        return ""
    return value.date().isoformat() if isinstance(value, datetime) else str(value)


@pytest.mark.usefixtures("published")
async def test_a_province_admin_exports_the_cases_of_the_period_as_csv_and_xlsx(
    reporting: httpx.AsyncClient,
) -> None:
    response = await reporting.get(CSV_URL, params=THIS_YEAR, headers=admin(reporting))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="simfoni-{PROVINCE}-{YEAR}-01-01-{YEAR}-12-31.csv"'
    )
    assert response.headers["cache-control"] == "no-store"
    rows = csv_rows(response)
    assert [row["no_kasus"] for row in rows] == [TWO_TYPES.case_number, CLOSED.case_number,
                                                 OTHER_REGENCY.case_number]  # one per case, by report time
    two_types, closed, other = rows
    assert two_types == {
        "no_kasus": TWO_TYPES.case_number, "tanggal_lapor": f"{YEAR}-02-01", "provinsi": PROVINCE,
        "nama_provinsi": "Papua Tengah", "kabupaten_kota": f"{PROVINCE}.01", "nama_kabupaten_kota": "Kabupaten Nabire",
        "kecamatan": f"{PROVINCE}.01.01", "nama_kecamatan": "Nabire", "desa_kelurahan": f"{PROVINCE}.01.01.1001",
        "nama_desa_kelurahan": "Wonorejo", "bentuk_kekerasan": "fisik; psikis", "jumlah_korban": "2",
        "jenis_kelamin_korban": "perempuan; laki_laki", "kelompok_umur_korban": "6-12; 13-17",
        "tempat_kejadian": "rumah_tangga", "hubungan_pelaku": "orang_tua", "sumber_pengaduan": "hotline",
        "status": "terbuka", "tanggal_ditutup": "", "alasan_ditutup": "",
    }
    assert (closed["status"], closed["tanggal_ditutup"], closed["alasan_ditutup"]) == (
        "ditutup", f"{YEAR}-05-20", "handled")
    assert closed["hubungan_pelaku"] == "tetangga; guru"  # SIMFONI's order
    assert (other["kabupaten_kota"], other["hubungan_pelaku"], other["sumber_pengaduan"]) == (
        f"{PROVINCE}.02", "tidak_diketahui", "walk_in")
    # A report that named no kecamatan or desa leaves their codes and names empty; its regency is still named.
    assert (other["nama_kabupaten_kota"], other["kecamatan"], other["nama_kecamatan"], other["desa_kelurahan"],
            other["nama_desa_kelurahan"]) == ("Kabupaten Puncak Jaya", "", "", "", "")

    response = await reporting.get(XLSX_URL, params=THIS_YEAR, headers=admin(reporting))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["content-disposition"].endswith(f'-{YEAR}-12-31.xlsx"')
    assert response.headers["cache-control"] == "no-store"
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Kasus", "Rekap"]
    kasus = workbook["Kasus"]
    assert kasus.freeze_panes == "A2"
    header, *lines = kasus.iter_rows(values_only=True)
    assert header == COLUMN_NAMES
    assert [dict(zip(header, map(as_text, line), strict=True)) for line in lines] == rows  # the CSV's rows
    reported_on = lines[0][COLUMN_NAMES.index("tanggal_lapor")]
    assert isinstance(reported_on, datetime)  # a date cell, not text
    assert reported_on.date().isoformat() == f"{YEAR}-02-01"
    assert lines[0][COLUMN_NAMES.index("jumlah_korban")] == 2  # a number

    recap_header, *recap = workbook["Rekap"].iter_rows(values_only=True)
    assert recap_header == ("bentuk_kekerasan", "perempuan", "laki_laki", "jumlah_kasus")
    counts = {line[0]: line[1:] for line in recap if line and line[0] is not None and isinstance(line[1], int)}
    assert counts["fisik"] == (1, 1, 1)
    assert counts["psikis"] == (1, 1, 1)
    assert counts["seksual"] == (1, 0, 1)
    assert counts["penelantaran"] == (0, 1, 1)
    assert counts["eksploitasi"] == (0, 0, 0)
    assert counts[RECAP_TOTAL] == (2, 2, 3)  # four type counts, three cases

    may = {"from": f"{YEAR}-03-01", "to": f"{YEAR}-03-31", "province": PROVINCE}
    response = await reporting.get(CSV_URL, params=may, headers=admin(reporting))
    assert [row["no_kasus"] for row in csv_rows(response)] == [CLOSED.case_number]

    # One kecamatan's cases, as the statistics filter them.
    nabire = {**THIS_YEAR, "district": f"{PROVINCE}.01.01"}
    response = await reporting.get(CSV_URL, params=nabire, headers=admin(reporting))
    assert [row["no_kasus"] for row in csv_rows(response)] == [TWO_TYPES.case_number]


@pytest.mark.usefixtures("published")
async def test_a_district_supervisor_gets_only_their_regency(reporting: httpx.AsyncClient) -> None:
    headers = reporting.bearer(  # type: ignore[attr-defined]
        Role.DISTRICT_SUPERVISOR, user_id=f"district-{PROVINCE}.02", province_code=PROVINCE,
        regency_code=f"{PROVINCE}.02",
    )
    response = await reporting.get(CSV_URL, params=THIS_YEAR, headers=headers)
    assert response.status_code == 200, response.text
    assert [row["no_kasus"] for row in csv_rows(response)] == [OTHER_REGENCY.case_number]
    assert f'filename="simfoni-{PROVINCE}.02-' in response.headers["content-disposition"]
    response = await reporting.get(XLSX_URL, params={"regency": f"{PROVINCE}.01"}, headers=headers)
    assert response.status_code == 403


async def test_exports_are_for_supervisors_of_the_region_only(reporting: httpx.AsyncClient) -> None:
    for url in (CSV_URL, XLSX_URL):
        assert (await reporting.get(url, params=THIS_YEAR)).status_code == 401
        staff = reporting.bearer(  # type: ignore[attr-defined]
            Role.AGENCY_STAFF, user_id="staff-export", agency_id=f"uptd-ppa-{PROVINCE}.01", agency_type="uptd_ppa"
        )
        assert (await reporting.get(url, params=THIS_YEAR, headers=staff)).status_code == 403
        for outside in ({"province": "62"}, {"regency": "62.13"}):
            response = await reporting.get(url, params=outside, headers=admin(reporting))
            assert response.status_code == 403, outside
            [field] = outside
            assert [(i["loc"], i["type"]) for i in response.json()["detail"]] == [
                (["query", field], "outside_your_region")]
            assert "content-disposition" not in response.headers


async def test_bad_filters_answer_422_naming_the_field(reporting: httpx.AsyncClient) -> None:
    for url in (CSV_URL, XLSX_URL):
        for params, field in (
            ({"from": f"{YEAR}-13-01"}, "from"),
            ({"from": f"{YEAR}-06-02", "to": f"{YEAR}-06-01"}, "to"),
            ({"province": "9y"}, "province"),
        ):
            response = await reporting.get(url, params=params, headers=admin(reporting))
            assert response.status_code == 422, (url, params)
            assert ["query", field] in [item["loc"] for item in response.json()["detail"]], response.text


async def test_the_openapi_document_lists_the_columns(reporting: httpx.AsyncClient) -> None:
    paths = (await reporting.get("/openapi.json")).json()["paths"]
    for url in (CSV_URL, XLSX_URL):
        description = paths[url]["get"]["description"]
        assert all(f"`{name}`" in description for name in COLUMN_NAMES), url
