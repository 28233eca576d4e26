"""The hotline operator's pages: their reports and the messages waiting, the report form (with its duplicate
check before saving), a WhatsApp or SMS draft turned into a report, and a case's triage with the form to raise
its priority. Every form is a plain POST; intake decides, and its refusals are shown at their fields."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from shared.regions import load_regions
from workspace.adapters import intake_desk
from workspace.adapters.services import ServiceError
from workspace.domain.areas import pick
from workspace.domain.person import Person
from workspace.domain.report_form import FormError, ReportForm, field_of, record
from workspace.entrypoints import report_labels
from workspace.entrypoints.people import bearer_token, operator
from workspace.entrypoints.referral_page import service_error_page, services_of
from workspace.entrypoints.rendering import language, pages
from workspace.entrypoints.security import check_csrf

router = APIRouter(include_in_schema=False)
Token = Annotated[str, Depends(bearer_token)]
MORE_URGENT = {"P3": ("P2", "P1"), "P2": ("P1",), "P1": ()}


Operator = Annotated[Person, Depends(operator)]


# Intake's words for these list the codes a field takes; on a page of choices, "choose one" says it.
_CHOICE_ERRORS = frozenset({"enum", "literal_error", "missing"})


def _errors_of(error: ServiceError) -> list[FormError]:
    """Intake's refusal, each item at the form field it is about, in the person's language (intake's words)."""
    items = error.detail if isinstance(error.detail, list) else []
    return [
        FormError(field_of(item.get("loc") or []), code="choose_one") if item.get("type") in _CHOICE_ERRORS
        else FormError(field_of(item.get("loc") or []), message=str(item.get("msg") or ""))
        for item in items if isinstance(item, dict)
    ]


def _regions(form: ReportForm) -> dict[str, list[tuple[str, str]]]:
    """The choices of each region picker, for what is chosen above it (``domain.areas.pick``)."""
    values = form.values
    province = values.get("province_code")
    chosen = pick(province, values.get("regency_code"), values.get("district_code"), values.get("village_code")) \
        if province else None
    return {
        "province_code": [(p.code, p.name) for p in load_regions().provinces()],
        "regency_code": [(o.code, o.name) for o in chosen.regencies] if chosen else [],
        "district_code": [(o.code, o.name) for o in chosen.districts] if chosen else [],
        "village_code": [(o.code, o.name) for o in chosen.villages] if chosen else [],
    }


def _show_form(
    request: Request, form: ReportForm, *, status_code: int = 200, errors: list[FormError] | None = None,
    candidates: list[dict[str, Any]] | None = None, draft: dict[str, Any] | None = None,
) -> Response:
    return pages(request).render(
        request, "report_form.html", status_code=status_code, form=form, errors=errors or [],
        candidates=candidates, regions=_regions(form), words=report_labels, draft=draft,
    )


async def _draft(request: Request, token: str, draft_id: str) -> dict[str, Any] | None:
    try:
        wanted = UUID(draft_id)
    except ValueError:
        return None
    waiting = await intake_desk.drafts(services_of(request), token, language(request))
    return next((d for d in waiting if UUID(d["draft_id"]) == wanted), None)


@router.get("/reports")
async def my_reports(request: Request, me: Operator, token: Token) -> Response:
    """The operator's home: the recent reports of their region, newest first, and how many messages wait."""
    lang, services = language(request), services_of(request)
    try:
        cases = await intake_desk.recent_cases(services, token, lang)
        waiting = await intake_desk.drafts(services, token, lang)
    except ServiceError as error:
        return service_error_page(request, error)
    return pages(request).render(request, "operator_reports.html", cases=cases, waiting=len(waiting), me=me,
                                 words=report_labels, regions=load_regions())


@router.get("/drafts")
async def waiting_drafts(request: Request, _me: Operator, token: Token) -> Response:
    """The WhatsApp and SMS messages waiting to be recorded as reports, oldest first."""
    try:
        waiting = await intake_desk.drafts(services_of(request), token, language(request))
    except ServiceError as error:
        return service_error_page(request, error)
    return pages(request).render(request, "drafts.html", drafts=waiting, words=report_labels)


@router.get("/reports/new")
async def new_report(request: Request, me: Operator, token: Token, draft: str = "") -> Response:
    form = ReportForm.empty(province_code=me.province_code, regency_code=me.regency_code)
    found = None
    if draft:
        try:
            found = await _draft(request, token, draft)
        except ServiceError as error:
            return service_error_page(request, error)
        if found is None:
            raise HTTPException(404)
        form.values |= {"draft_id": str(found["draft_id"]), "narrative": str(found.get("text") or ""),
                        "reporter_phone": str(found.get("sender") or "")}
    return _show_form(request, form, draft=found)


@router.post("/reports/new", dependencies=[Depends(check_csrf)])
async def post_report(request: Request, _me: Operator, token: Token) -> Response:
    """One form, several buttons (``action``): add a victim or a perpetrator, show the next region level, check
    for duplicates, save (linked to the duplicate chosen). What was typed is shown again each time."""
    posted = await request.form()
    form = ReportForm.posted({name: [str(v) for v in posted.getlist(name)] for name in posted})
    action = str(posted.get("action") or "")
    form.keep_regions_nested()
    # A draft's message is read (an audited read of every waiting message) once, when its form opens: its text
    # is in the form from then on, and intake checks the draft again when the report is saved.
    draft = None
    if action == "add_victim":
        form.add_victim()
    elif action == "add_perpetrator":
        form.add_perpetrator()
    if action not in {"check", "save"}:
        return _show_form(request, form, draft=draft)
    return await _check_or_save(request, token, form, save=action == "save", link_to=str(posted.get("link_to") or ""),
                                draft=draft)


async def _check_or_save(
    request: Request, token: str, form: ReportForm, *, save: bool, link_to: str, draft: dict[str, Any] | None
) -> Response:
    body, errors = record(form)
    if errors:
        return _show_form(request, form, status_code=422, errors=errors, draft=draft)
    lang, services = language(request), services_of(request)
    try:
        if not save:
            candidates = await intake_desk.possible_duplicates(services, token, lang, body)
            return _show_form(request, form, candidates=candidates, draft=draft)
        saved = await intake_desk.save_report(services, token, lang, body, link_to=link_to,
                                              draft_id=form.values.get("draft_id", ""))
    except ServiceError as error:
        if error.status in {409, 422}:
            return _show_form(request, form, status_code=error.status, errors=_errors_of(error), draft=draft)
        return service_error_page(request, error)
    except ValueError:  # a link_to or draft id that is not a UUID: not one the page offered
        return _show_form(request, form, status_code=422, draft=draft,
                          errors=[FormError("narrative", code="link_invalid")])
    request.session["done"] = "saved_linked" if link_to else "saved"
    return RedirectResponse(f"/reports/{saved['case_id']}", status_code=303)


async def _show_case(
    request: Request, token: str, case_id: UUID, *, status_code: int = 200, errors: list[FormError] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    lang, services = language(request), services_of(request)
    try:
        case = await services.case(token, lang, case_id)
        notes = await services.case_notes(token, lang, case_id)
    except ServiceError as error:
        return service_error_page(request, error)
    raises = [note for note in notes if note.get("kind") == "priority_raised"]
    return pages(request).render(
        request, "operator_case.html", status_code=status_code, case=case, errors=errors or [], raises=raises,
        values=values or {}, higher=MORE_URGENT.get(case["priority"], ()), words=report_labels,
        regions=load_regions(), done=request.session.pop("done", None),
    )


@router.get("/reports/{case_id}")
async def case_triage(request: Request, case_id: UUID, _me: Operator, token: Token) -> Response:
    """A case of the operator's region: its triage and why, its links, and the form to raise its priority."""
    return await _show_case(request, token, case_id)


@router.post("/reports/{case_id}/priority", dependencies=[Depends(check_csrf)])
async def raise_priority(request: Request, case_id: UUID, _me: Operator, token: Token) -> Response:
    posted = await request.form()
    values = {name: str(posted.get(name) or "").strip() for name in ("priority", "reason")}
    errors = [FormError(name, code=f"{name}_missing") for name in ("priority", "reason") if not values[name]]
    if errors:
        return await _show_case(request, token, case_id, status_code=422, errors=errors, values=values)
    try:
        await intake_desk.raise_priority(services_of(request), token, language(request), case_id,
                                         priority=values["priority"], reason=values["reason"])
    except ServiceError as error:
        if error.status in {403, 409, 422}:  # 403: a case of the region that another operator recorded
            errors = [FormError("priority", message=e.message, code=e.code) for e in _errors_of(error)]
            return await _show_case(request, token, case_id, status_code=error.status, errors=errors, values=values)
        return service_error_page(request, error)
    request.session["done"] = "raised"
    return RedirectResponse(f"/reports/{case_id}", status_code=303)
