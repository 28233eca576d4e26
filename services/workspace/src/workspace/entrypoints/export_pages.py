"""The province admin's SIMFONI-PPA download: a form choosing the period, the whole province or one regency, and
CSV or XLSX; the file comes from reporting, asked for with the admin's token, and is streamed on as it arrives."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse
from starlette.background import BackgroundTask

from shared.regions import load_regions
from workspace.adapters import oversight
from workspace.adapters.services import ServiceError
from workspace.domain.export_form import check_export, form_values
from workspace.domain.person import Person
from workspace.entrypoints.people import bearer_token, province_admin
from workspace.entrypoints.referral_page import service_error_page, services_of
from workspace.entrypoints.rendering import language, pages

router = APIRouter(include_in_schema=False)
Admin = Annotated[Person, Depends(province_admin)]
Token = Annotated[str, Depends(bearer_token)]
PAGE = "/admin/exports/simfoni"
_PASSED_ON = ("content-type", "content-disposition")  # the length may differ once decoded


def _regencies(province_code: str) -> list[tuple[str, str]]:
    return [(region.code, region.name) for region in load_regions().regencies_of(province_code)]


@router.get(PAGE)
async def export_form(request: Request, me: Admin) -> Response:
    return pages(request).render(request, "export_simfoni.html", me=me, errors=[], values={"format": "xlsx"},
                                 regencies=_regencies(me.province_code or ""))


@router.get(PAGE + "/file")
async def export_file(request: Request, me: Admin, token: Token) -> Response:
    province = me.province_code or ""
    regencies = _regencies(province)
    values = form_values({name: str(value) for name, value in request.query_params.items()})
    wanted, errors = check_export(values, province_code=province, regencies={code for code, _ in regencies})
    if wanted is None:
        return pages(request).render(request, "export_simfoni.html", status_code=422, me=me, errors=errors,
                                     values=values, regencies=regencies)
    try:
        answer = await oversight.open_download(
            services_of(request), "reporting", f"/v1/exports/simfoni.{wanted.format}", token=token,
            lang=language(request), params=wanted.params)
    except ServiceError as error:
        return service_error_page(request, error)
    headers = {name: answer.headers[name] for name in _PASSED_ON if name in answer.headers}
    return StreamingResponse(answer.aiter_bytes(), headers=headers, background=BackgroundTask(answer.aclose))
