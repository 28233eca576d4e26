"""The reporter's status page: with the report's number and its one-time code (posted, never in the address)
the reporter sees how far the report has come, and may add information, which reaches the case as a note.

Lookups are rate-limited per client on their own, stricter limit (``reporter_lookup_rate_limit``), and a wrong
number is answered exactly as a wrong code."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from intake.domain.reporter_access import ReportStage
from intake.entrypoints.api import CurrentKeys
from intake.entrypoints.pages import render
from intake.entrypoints.public_form import HTML, refused_for_rate
from intake.entrypoints.public_texts import TEXTS, page_language
from intake.entrypoints.report_form import FieldError, TypedForm
from intake.service_layer import reporter
from intake.service_layer.errors import CaseConflictError
from shared.dependencies import CurrentUnitOfWork
from shared.limits import PublicRateLimiter
from shared.validation_messages import Language, localize_errors

router = APIRouter()

LOOKUP_RESPONSES: dict[int | str, dict[str, Any]] = {
    422: {"description": "The page again, with why: a field left empty, or a number and code that do not belong "
          "together (the same answer whichever of the two is wrong)", **HTML},
    429: HTML,
}


class ReporterNote(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    informasi: str = Field(min_length=1, max_length=20_000)


def _lookup_limiter(request: Request) -> PublicRateLimiter:
    limiter: PublicRateLimiter = request.app.state.reporter_lookup_limiter
    return limiter


def lookup_page(
    language: Language, *, case_number: str = "", errors: list[FieldError] | None = None, status_code: int = 200
) -> HTMLResponse:
    return render("status.html", language, status_code=status_code, errors=errors or [], stage=None,
                  case_number=case_number, code="", information="", sent=False)


def no_match(form: TypedForm, language: Language) -> HTMLResponse:
    """The one answer to a wrong number and to a wrong code: only what was typed as the number comes back."""
    return lookup_page(language, case_number=form.get("nomor"), status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
                       errors=[FieldError("nomor", TEXTS[language]["no_match"])])  # the message names both


def status_page(
    form: TypedForm, language: Language, stage: ReportStage, *, errors: list[FieldError] | None = None,
    information: str = "", sent: bool = False, status_code: int = 200,
) -> HTMLResponse:
    return render("status.html", language, status_code=status_code, errors=errors or [], stage=stage,
                  case_number=form.get("nomor").upper(), code=form.get("kode"), information=information, sent=sent)


def missing(form: TypedForm, language: Language) -> list[FieldError]:
    words = TEXTS[language]
    return [
        FieldError(name, words["required"], words[label])
        for name, label in (("nomor", "case_number"), ("kode", "reporter_code")) if not form.get(name)
    ]


@router.get("/lapor/status", response_class=HTMLResponse, tags=["public"], responses={429: HTML})
async def status_form(request: Request) -> HTMLResponse:
    """Where a reporter types the report's number and code."""
    language = page_language(request.query_params.get("lang"))
    return await refused_for_rate(request, request.app.state.public_rate_limiter, language) or lookup_page(language)


@router.post("/lapor/status", response_class=HTMLResponse, tags=["public"], responses=LOOKUP_RESPONSES)
async def show_status(request: Request, uow: CurrentUnitOfWork) -> HTMLResponse:
    """`nomor` and `kode` (form fields): the report's stage (received, referred, being handled, closed), nothing
    about its content or who handles it, and the form to add information."""
    form = TypedForm.parse(await request.body())
    language = page_language(form.get("lang"))
    if (refusal := await refused_for_rate(request, _lookup_limiter(request), language)) is not None:
        return refusal
    if errors := missing(form, language):
        return lookup_page(language, case_number=form.get("nomor"), errors=errors,
                           status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    stage = await reporter.report_stage(form.get("nomor"), form.get("kode"), uow)
    return no_match(form, language) if stage is None else status_page(form, language, stage)


@router.post(
    "/lapor/status/informasi", response_class=HTMLResponse, tags=["public"],
    responses={**LOOKUP_RESPONSES, 409: {"description": "The report is closed: it takes no more information", **HTML}},
)
async def add_information(request: Request, uow: CurrentUnitOfWork, keys: CurrentKeys) -> HTMLResponse:
    """`nomor`, `kode` and `informasi` (form fields): the information is added to the case as a note from the
    reporter, for the agencies the case is referred to."""
    form = TypedForm.parse(await request.body())
    language = page_language(form.get("lang"))
    if (refusal := await refused_for_rate(request, _lookup_limiter(request), language)) is not None:
        return refusal
    if errors := missing(form, language):
        return lookup_page(language, case_number=form.get("nomor"), errors=errors,
                           status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    typed = form.lists.get("informasi", [""])[0]
    try:
        note = ReporterNote(informasi=typed)
    except ValidationError as error:
        stage = await reporter.report_stage(form.get("nomor"), form.get("kode"), uow)
        if stage is None:
            return no_match(form, language)
        errors = [FieldError("informasi", str(item["msg"]), TEXTS[language]["information"])
                  for item in localize_errors(error.errors(), language)]
        return status_page(form, language, stage, errors=errors[:1], information=typed,
                           status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    try:
        added = await reporter.add_reporter_information(form.get("nomor"), form.get("kode"), note.informasi, uow, keys)
    except CaseConflictError:
        # The page says why (a closed report takes no more information) where the form would be.
        return status_page(form, language, ReportStage.CLOSED, status_code=status.HTTP_409_CONFLICT)
    return no_match(form, language) if added is None else status_page(form, language, added, sent=True)
