"""The district supervisor's pages: the district's open referrals (overdue and escalated first) with each agency's
workload, a case's referrals with the hand forms (refer to another agency, hand over the lead, revoke: each with a
reason and a confirmation), and the district's exact dashboard. Each calls routing or reporting as the person;
the services decide what they may see and do, and a refusal is said on the page in the person's language."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from workspace.adapters.services import ServiceError
from workspace.domain import district
from workspace.domain.person import Person
from workspace.domain.referrals import FieldError, deadline
from workspace.entrypoints import district_labels
from workspace.entrypoints.people import bearer_token, workspace_person
from workspace.entrypoints.referral_page import service_error_page, services_of
from workspace.entrypoints.rendering import language, pages
from workspace.entrypoints.security import check_csrf

router = APIRouter(include_in_schema=False)
Token = Annotated[str, Depends(bearer_token)]
CASE_PAGE = "/district/cases/{case_id}"
HANDS = {"refer": "referrals", "handover": "lead-handover"}


async def supervisor(person: Annotated[Person, Depends(workspace_person)]) -> Person:
    """Only a district supervisor has these pages; anyone else is told so (403)."""
    if not person.supervises_district:
        raise HTTPException(403)
    return person


Supervisor = Annotated[Person, Depends(supervisor)]


@router.get("/district")
async def district_page(request: Request, person: Supervisor, token: Token) -> Response:
    lang = language(request)
    try:
        listed = await services_of(request).district_referrals(token, lang)
        load = await services_of(request).district_workload(token, lang)
    except ServiceError as error:
        return service_error_page(request, error)
    now = datetime.now(UTC)
    rows = [{**item, "deadline": deadline({**item, "accept_by": item.get("next_deadline"),
                                           "first_service_by": item.get("next_deadline")}, now)}
            for item in listed["items"]]
    agencies = [{**a, "median": district.duration(a.get("median_seconds_to_accept"))} for a in load["agencies"]]
    return pages(request).render(request, "district.html", me=person, rows=rows, agencies=agencies, dl=district_labels,
                                 regency=district.regency_name(person.regency_code or ""))


async def _show_case(
    request: Request, person: Person, token: str, case_id: UUID, *, status_code: int = 200,
    errors: list[FieldError] | None = None, values: dict[str, Any] | None = None, refusal: str | None = None,
    form: str | None = None,
) -> Response:
    lang = language(request)
    services = services_of(request)
    # The forms share field names: an error names its form's field (``refer-agency_id``), as the page's ids do.
    errors = [FieldError(f"{form}-{e.field}", e.code) for e in errors or []] if form else errors
    try:
        referrals = await services.case_referrals(token, lang, case_id)
        directory = await services.agencies(token, lang, {"province_code": person.province_code or ""})
        case = await services.case(token, lang, case_id)  # the facts only: a supervisor reads no personal field
    except ServiceError as error:
        return service_error_page(request, error)
    return pages(request).render(
        request, "district_case.html", status_code=status_code, me=person, case_id=case_id, referrals=referrals,
        case=case,
        lead=district.open_lead(referrals), open_statuses=district.OPEN,
        to_refer=_offered(person, directory, referrals, lead_only=False),
        to_lead=_offered(person, directory, referrals, lead_only=True), dl=district_labels,
        errors=errors or [], values=values or {}, form=form, refusal=refusal,
        done=request.session.pop("district_done", None), action=CASE_PAGE.format(case_id=case_id),
    )


def _offered(
    person: Person, directory: list[dict[str, Any]], referrals: list[dict[str, Any]], *, lead_only: bool,
) -> list[dict[str, Any]]:
    """The province's agencies that serve the person's regency (its own, or the whole province)."""
    reach = [a for a in directory if a.get("regency_code") in {None, person.regency_code}]
    return district.offered_agencies(reach, referrals, lead_only=lead_only)


@router.get(CASE_PAGE)
async def case_page(request: Request, case_id: UUID, person: Supervisor, token: Token) -> Response:
    return await _show_case(request, person, token, case_id)


async def _values(request: Request) -> dict[str, Any]:
    form = await request.form()
    return {name: str(form.get(name) or "") for name in ("agency_id", "hand_reason", "confirm")}


@router.post(CASE_PAGE + "/{hand}", dependencies=[Depends(check_csrf)])
async def hand(request: Request, case_id: UUID, hand: str, person: Supervisor, token: Token) -> Response:
    """Refer the case to another agency (``refer``) or hand over its lead (``handover``)."""
    if hand not in HANDS:
        return pages(request).render(request, "not_found.html", status_code=404)
    values = await _values(request)
    lang = language(request)
    try:
        referrals = await services_of(request).case_referrals(token, lang, case_id)
        directory = await services_of(request).agencies(token, lang, {"province_code": person.province_code or ""})
    except ServiceError as error:
        return service_error_page(request, error)
    offered = _offered(person, directory, referrals, lead_only=hand == "handover")
    errors = district.check_hand(values, offered=[str(a["agency_id"]) for a in offered])
    if errors:
        return await _show_case(request, person, token, case_id, status_code=422, errors=errors, values=values,
                                form=hand)
    try:
        await services_of(request).hand(token, lang, case_id, HANDS[hand], agency_id=values["agency_id"],
                                        reason=values["hand_reason"].strip())
    except ServiceError as error:
        return await _refused(request, person, token, case_id, error, values=values, form=hand)
    request.session["district_done"] = hand
    return RedirectResponse(CASE_PAGE.format(case_id=case_id), status_code=303)


@router.post(CASE_PAGE + "/referrals/{referral_id}/revoke", dependencies=[Depends(check_csrf)])
async def revoke(request: Request, case_id: UUID, referral_id: UUID, person: Supervisor, token: Token) -> Response:
    values = await _values(request)
    form = f"revoke-{referral_id}"
    errors = district.check_hand(values, offered=(), needs_agency=False)
    if errors:
        return await _show_case(request, person, token, case_id, status_code=422, errors=errors, values=values,
                                form=form)
    try:
        await services_of(request).move(token, language(request), referral_id, "revoke",
                                        {"reason": values["hand_reason"].strip()})
    except ServiceError as error:
        return await _refused(request, person, token, case_id, error, values=values, form=form)
    request.session["district_done"] = "revoke"
    return RedirectResponse(CASE_PAGE.format(case_id=case_id), status_code=303)


async def _refused(
    request: Request, person: Person, token: str, case_id: UUID, error: ServiceError, *, values: dict[str, Any],
    form: str,
) -> Response:
    """A 409 says routing's reason (asked for in the person's language) on the page; a 422 names the field."""
    items = [item for item in error.detail if isinstance(item, dict)] if isinstance(error.detail, list) else []
    if error.status == 409 and items:
        reason = " ".join(str(item.get("msg", "")) for item in items)
        refusal = pages(request).gettext(request, district_labels.REFUSED) % {"reason": reason}
        return await _show_case(request, person, token, case_id, status_code=409, refusal=refusal, values=values,
                                form=form)
    if error.status == 422 and items:
        errors = [FieldError("agency_id" if "agency_id" in item.get("loc", []) else "hand_reason",
                             str(item.get("msg", ""))) for item in items]
        return await _show_case(request, person, token, case_id, status_code=422, errors=errors, values=values,
                                form=form)
    return service_error_page(request, error)


@router.get("/district/dashboard")
async def dashboard(request: Request, person: Supervisor, token: Token) -> Response:
    """The district's exact figures: reporting answers them exactly to its own supervisor's token."""
    lang = language(request)
    region = {"regency": person.regency_code or ""}
    try:
        cases = await services_of(request).stats(token, lang, "cases", {**region, "group_by": "district"})
        violence = await services_of(request).stats(token, lang, "cases", {**region, "group_by": "violence_type"})
        referrals = await services_of(request).stats(token, lang, "referrals", {**region, "group_by": "agency"})
        directory = await services_of(request).agencies(token, lang, {"province_code": person.province_code or ""})
    except ServiceError as error:
        return service_error_page(request, error)
    names = {str(a["agency_id"]): str(a["name"]) for a in directory}
    return pages(request).render(
        request, "district_dashboard.html", me=person, regency=district.regency_name(person.regency_code or ""),
        total=cases.get("total_cases"), exact=cases.get("exact"), areas=district.by_kecamatan(cases["rows"]),
        violence=violence["rows"], referrals=referrals["rows"], names=names, dl=district_labels,
    )
