"""The province admin's directory pages: the province's agencies, an agency's form (new or edited: its kind,
services, area down to the desa, opening hours and contacts) and taking one out of service. Every form is a plain
POST; the area pickers (regency, kecamatan, desa) are refreshed by the server with the form's "Show" button, so
they work without JavaScript, and whatever was typed is kept."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse, Response

from workspace.adapters import directory
from workspace.adapters.services import ServiceError
from workspace.domain.agency_form import agency_body, agency_values, field_of, form_values, new_agency_values
from workspace.domain.areas import area_name, pick, province_name
from workspace.domain.person import Person
from workspace.domain.referrals import FieldError
from workspace.entrypoints import admin_labels
from workspace.entrypoints.people import bearer_token, province_admin
from workspace.entrypoints.referral_page import service_error_page, services_of
from workspace.entrypoints.rendering import language, pages
from workspace.entrypoints.security import check_csrf

router = APIRouter(include_in_schema=False)
Admin = Annotated[Person, Depends(province_admin)]
Token = Annotated[str, Depends(bearer_token)]
AgencyId = Annotated[str, Path(pattern=r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$", max_length=100)]
LIST = "/admin/agencies"
NEW = LIST + "/new"


@router.get(LIST)
async def agencies_page(request: Request, admin: Admin, token: Token) -> Response:
    province = admin.province_code or ""
    try:
        found = await directory.agencies(services_of(request), token, language(request), province)
    except ServiceError as error:
        return service_error_page(request, error)
    rows = [{**agency, "area": area_name(agency.get("regency_code"), agency.get("district_code"),
                                         agency.get("village_code")) or province_name(province)}
            for agency in found]
    return pages(request).render(request, "admin_agencies.html", agencies=rows, province=province_name(province),
                                 admin_labels=admin_labels, done=request.session.pop("done", None))


def _form(
    request: Request, admin: Person, values: dict[str, Any], *, new: bool, status_code: int = 200,
    errors: list[FieldError] | None = None, refusal: str | None = None,
) -> Response:
    province = admin.province_code or ""
    area = pick(province, values["regency_code"] or None, values["district_code"] or None,
                values["village_code"] or None)
    action = NEW if new else f"{LIST}/{values['agency_id']}"
    return pages(request).render(
        request, "admin_agency.html", status_code=status_code, values=values, errors=errors or [], new=new,
        area=area, province=province_name(province), action=action, refusal=refusal, admin_labels=admin_labels,
        done=request.session.pop("done", None),
    )


@router.get(NEW)
async def new_agency_page(request: Request, admin: Admin, _token: Token) -> Response:
    return _form(request, admin, new_agency_values(), new=True)


@router.get(LIST + "/{agency_id}")
async def agency_page(request: Request, agency_id: AgencyId, admin: Admin, token: Token) -> Response:
    try:
        found = await directory.agency(services_of(request), token, language(request), agency_id)
    except ServiceError as error:
        return service_error_page(request, error)
    if found.get("province_code") != admin.province_code:
        return pages(request).render(request, "forbidden.html", status_code=403)
    return _form(request, admin, agency_values(found), new=False)


async def _save(request: Request, admin: Person, token: str, *, agency_id: str | None) -> Response:
    form = await request.form()
    values = form_values(form, [str(v) for v in form.getlist("services")])
    if agency_id is not None:
        values["agency_id"] = agency_id  # an agency's id never changes
    new = agency_id is None
    if form.get("action") != "save":  # "Show": the pickers below the area chosen, nothing sent
        return _form(request, admin, values, new=new)
    body, errors = agency_body(values, province_code=admin.province_code or "")
    if errors:
        return _form(request, admin, values, new=new, status_code=422, errors=errors)
    services, lang = services_of(request), language(request)
    try:
        if new and await _exists(request, token, body["agency_id"]):
            return _form(request, admin, values, new=new, status_code=409,
                         errors=[FieldError("agency_id", "agency_exists")])
        await directory.put_agency(services, token, lang, body)
    except ServiceError as error:
        return _refused(request, admin, values, error, new=new)
    request.session["done"] = "agency_saved"
    return RedirectResponse(LIST, status_code=303)


async def _exists(request: Request, token: str, agency_id: str) -> bool:
    try:
        await directory.agency(services_of(request), token, language(request), agency_id)
    except ServiceError as error:
        if error.status == 404:
            return False
        raise
    return True


def _refused(request: Request, admin: Person, values: dict[str, Any], error: ServiceError, *, new: bool) -> Response:
    """Routing's 422 at the fields it names (its message, in the page's language); 409 and 403 said on the page."""
    items = [item for item in error.detail if isinstance(item, dict)] if isinstance(error.detail, list) else []
    if error.status == 422 and items:
        errors = [FieldError(field_of(list(item.get("loc", []))), str(item.get("msg", ""))) for item in items]
        return _form(request, admin, values, new=new, status_code=422, errors=errors)
    if error.status in (403, 409) and items:
        reason = " ".join(str(item.get("msg", "")) for item in items)
        refusal = pages(request).gettext(request, admin_labels.REFUSED[error.status]) % {"reason": reason}
        return _form(request, admin, values, new=new, status_code=error.status, refusal=refusal)
    return service_error_page(request, error)


@router.post(NEW, dependencies=[Depends(check_csrf)])
async def create_agency(request: Request, admin: Admin, token: Token) -> Response:
    return await _save(request, admin, token, agency_id=None)


@router.post(LIST + "/{agency_id}", dependencies=[Depends(check_csrf)])
async def save_agency(request: Request, agency_id: AgencyId, admin: Admin, token: Token) -> Response:
    return await _save(request, admin, token, agency_id=agency_id)


@router.post(LIST + "/{agency_id}/deactivate", dependencies=[Depends(check_csrf)])
async def deactivate_agency(request: Request, agency_id: AgencyId, admin: Admin, token: Token) -> Response:
    services, lang = services_of(request), language(request)
    try:
        await directory.deactivate(services, token, lang, agency_id)
    except ServiceError as error:
        if error.status in (403, 409, 422):  # not theirs, or the regency would be left without a lead agency
            try:
                values = agency_values(await directory.agency(services, token, lang, agency_id))
            except ServiceError as reading:
                return service_error_page(request, reading)
            return _refused(request, admin, values, error, new=False)
        return service_error_page(request, error)
    request.session["done"] = "agency_deactivated"
    return RedirectResponse(LIST, status_code=303)
