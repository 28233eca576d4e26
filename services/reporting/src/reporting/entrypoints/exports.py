"""SIMFONI-PPA exports over HTTP: the cases of a period and region as CSV or XLSX, for the district UPTD PPA
that re-enters them into SIMFONI. The columns are ``reporting.domain.simfoni.COLUMNS``."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response, status
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reporting.domain.access import STATS_READERS, OutsideRegionError
from reporting.domain.simfoni import (
    COLUMN_NAMES,
    RECAP_NOTE,
    Cell,
    SimfoniExport,
    column_table,
    recap,
    spreadsheet_rows,
)
from reporting.domain.statistics import StatsFilter
from reporting.entrypoints.api import Scope
from reporting.service_layer import exports
from shared.auth import Principal
from shared.dependencies import CurrentUnitOfWork, require_roles
from shared.http_errors import refused
from shared.unit_of_work import UnitOfWork

router = APIRouter(prefix="/v1", tags=["exports"])

StatsReader = Annotated[Principal, Depends(require_roles(*STATS_READERS))]

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_WIDTH = 60  # characters; a wider column wraps nothing, it is only cut off on screen

_ABOUT = (
    "The cases reported in the period (`from`, `to`: UTC days, inclusive) in the region you supervise (a "
    "district supervisor's regency, a province admin's or auditor's province; all of it when `province` and "
    "`regency` name none; `district` narrows it to one kecamatan), one row per case, ordered by report time: only "
    "non-personal facts, in SIMFONI-PPA's terms, for re-entry into SIMFONI. Asking beyond your region answers 403. "
    "Cells a spreadsheet would take for a formula (starting with `=`, `+`, `-`, `@`) begin with `'`.\n\nColumns:\n\n"
)


def _responses(media_type: str, what: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {"description": what, "content": {media_type: {"schema": {"type": "string", "format": "binary"}}}},
        403: {"description": "Not a statistics reader, or a region you do not supervise"},
    }


async def _export(principal: Principal, scope: StatsFilter, uow: UnitOfWork) -> SimfoniExport:
    try:
        return await exports.simfoni_export(principal, scope, uow)
    except OutsideRegionError as error:
        raise refused(status.HTTP_403_FORBIDDEN, "outside_your_region", ("query", str(error))) from None


def _attachment(content: bytes, media_type: str, filename: str) -> Response:
    return Response(content, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store",
    })


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    return cell.isoformat() if isinstance(cell, date) else str(cell)


def csv_bytes(export: SimfoniExport) -> bytes:
    """UTF-8 with a byte order mark (so that Excel reads it as UTF-8), comma-separated, CRLF, a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMN_NAMES)
    writer.writerows([_text(cell) for cell in row] for row in spreadsheet_rows(export.cases))
    return buffer.getvalue().encode("utf-8-sig")


def _table(sheet: Worksheet, header: tuple[str, ...], rows: Sequence[tuple[Cell, ...]]) -> None:
    """Header (bold, frozen, filterable) and rows; each column as wide as its widest cell."""
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    for index, name in enumerate(header):
        widest = max([len(name), *(len(_text(values[index])) for values in rows)])
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(widest + 2, MAX_WIDTH)


def xlsx_bytes(export: SimfoniExport) -> bytes:
    """Sheet "Kasus": the rows of the CSV (dates as dates, numbers as numbers); sheet "Rekap": cases by violence
    type x victims' sex, counted the SIMFONI way, with a note saying how."""
    workbook = Workbook()
    cases = workbook.worksheets[0]
    cases.title = "Kasus"
    _table(cases, COLUMN_NAMES, spreadsheet_rows(export.cases))
    recap_sheet = workbook.create_sheet("Rekap")
    counts = recap(export.cases)
    _table(recap_sheet, counts.header, counts.rows)
    recap_sheet.append(())
    for line in RECAP_NOTE:
        recap_sheet.append((line,))
    workbook.properties.creator = "Sinergi"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@router.get(
    "/exports/simfoni.csv", response_class=Response, summary="SIMFONI-PPA export of the cases, as CSV",
    description=f"{_ABOUT}{column_table()}\n\nUTF-8 with a byte order mark, comma-separated.",
    responses=_responses(CSV_TYPE, "One row per case under a header row of the column names"),
)
async def simfoni_csv(principal: StatsReader, uow: CurrentUnitOfWork, scope: Scope) -> Response:
    export = await _export(principal, scope, uow)
    return _attachment(csv_bytes(export), CSV_TYPE, export.filename("csv"))


@router.get(
    "/exports/simfoni.xlsx", response_class=Response, summary="SIMFONI-PPA export of the cases, as XLSX",
    description=f"{_ABOUT}{column_table()}\n\nSheet `Kasus` holds these columns (header row frozen), sheet `Rekap` "
    "the cases by violence type x victims' sex: a case with two violence types counts under each, and once in "
    "`jumlah_kasus` and the `total` row.",
    responses=_responses(XLSX_TYPE, "Workbook with the sheets Kasus and Rekap"),
)
async def simfoni_xlsx(principal: StatsReader, uow: CurrentUnitOfWork, scope: Scope) -> Response:
    export = await _export(principal, scope, uow)
    content = await asyncio.to_thread(xlsx_bytes, export)  # openpyxl is slow on large workbooks: off the loop
    return _attachment(content, XLSX_TYPE, export.filename("xlsx"))
