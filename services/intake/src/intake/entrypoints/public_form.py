"""The public report form (Bahasa Indonesia first, English on request, no login), rendered by intake and posted
back to it as a plain form: it works without JavaScript, region pickers included (province, regency, kecamatan,
desa, each offered once the one above is chosen, by a round trip that keeps what was typed). The rules and
errors are ``Report``'s, the same as ``POST /v1/reports``; ``GET /v1/regions`` stays for other clients."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from intake.entrypoints.api import CurrentKeys
from intake.entrypoints.pages import render
from intake.entrypoints.public_texts import TEXTS, page_language
from intake.entrypoints.report_form import (
    PLACES,
    RELATIONS,
    SEXES,
    VIOLENCE_TYPES,
    FieldError,
    TypedForm,
    checked_report,
    region_choices,
)
from intake.service_layer import reporter
from shared.dependencies import CurrentUnitOfWork
from shared.http_errors import LocalizedHTTPError
from shared.limits import PublicRateLimiter
from shared.regions import RegionKind, load_regions
from shared.validation_messages import Language

router = APIRouter()

HTML: dict[str, Any] = {"content": {"text/html": {}}}


async def refused_for_rate(request: Request, limiter: PublicRateLimiter, language: Language) -> HTMLResponse | None:
    """The page saying "too many requests" (429, with Retry-After) once ``request``'s client is over
    ``limiter``'s rate; None while it is not."""
    try:
        await limiter.check(request.client.host if request.client else "unknown")
    except LocalizedHTTPError as error:
        response = render("pesan.html", language, status_code=error.status_code, heading=TEXTS[language]["title"],
                          message=TEXTS[language]["too_many"], back=request.url.path,
                          back_label=TEXTS[language]["heading"])
        response.headers.update(error.headers)
        return response
    return None


def form_page(
    form: TypedForm, language: Language, *, errors: list[FieldError] | None = None, focus: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        "lapor.html", language, status_code=status_code, form=form, errors=errors or [], focus=focus,
        regions=region_choices(form), places=PLACES, violence_types=VIOLENCE_TYPES, sexes=SEXES,
        relations=RELATIONS, today=date.today().isoformat(),  # noqa: DTZ011 - a calendar day for the date picker
    )


def next_region(form: TypedForm) -> str:
    """The region picker to focus after a round trip: the first one not chosen yet."""
    for name in ("provinsi", "kabupaten", "kecamatan", "desa"):
        if not form.get(name):
            return name
    return "tempat"


@router.get("/lapor", response_class=HTMLResponse, tags=["public"], responses={429: HTML})
async def report_form(request: Request) -> HTMLResponse:
    """Formulir pengaduan: anyone may report violence against women and children here, anonymously if they
    wish. Bahasa Indonesia; `?lang=en` for English."""
    language = page_language(request.query_params.get("lang"))
    return await refused_for_rate(request, request.app.state.public_rate_limiter, language) or form_page(
        TypedForm(), language
    )


@router.post(
    "/lapor", response_class=HTMLResponse, tags=["public"],
    responses={201: {"description": "Sent: the case number and its one-time code, shown only here", **HTML},
               422: {"description": "The form again: an error summary and each error at its field", **HTML},
               429: HTML},
)
async def submit_report_form(request: Request, uow: CurrentUnitOfWork, keys: CurrentKeys) -> HTMLResponse:
    """The form's fields (`application/x-www-form-urlencoded`). `aksi=wilayah` shows the regions under the ones
    chosen; `aksi=kirim` sends the report and answers with its number and one-time code, shown only here."""
    form = TypedForm.parse(await request.body())
    language = page_language(form.get("lang"))
    if (refusal := await refused_for_rate(request, request.app.state.public_rate_limiter, language)) is not None:
        return refusal
    if form.get("aksi") != "kirim" or form.get("situs"):  # a region round trip, or a bot filling the hidden field
        return form_page(form, language, focus=next_region(form))
    checked = checked_report(form, language)
    if isinstance(checked, list):
        return form_page(form, language, errors=checked, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    public = await reporter.submit_public_report(checked, uow, keys)
    return render("lapor_terkirim.html", language, status_code=status.HTTP_201_CREATED,
                  case_number=public.case.case_number, code=public.code)


class RegionOut(BaseModel):
    code: str
    name: str
    kind: RegionKind


class RegionsOut(BaseModel):
    source: str
    regions: list[RegionOut]


@router.get("/v1/regions", response_model=RegionsOut, tags=["public"])
async def regions() -> RegionsOut:
    """Every province and regency/city of Indonesia with its Kemendagri code, and the decree they come from."""
    catalogue = load_regions()
    listed = [
        RegionOut(code=region.code, name=region.name, kind=region.kind)
        for province in catalogue.provinces()
        for region in (province, *catalogue.regencies_of(province.code))
    ]
    return RegionsOut(source=catalogue.source, regions=listed)
