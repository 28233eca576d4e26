"""The province admin's rules page: the province's rule set as YAML (the rules in force, with the next version
number filled in), a sample case with its place picked down to the desa, and three buttons: show the pickers for
the place chosen, preview ("this sample case would go to ..."), and save. Saving needs a preview of exactly the
text being saved; otherwise the page previews it and asks to check and save again. Nothing needs JavaScript."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from workspace.adapters import directory
from workspace.adapters.services import ServiceError
from workspace.domain import rules_form
from workspace.domain.areas import pick, province_name
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
PAGE = "/admin/rules"


def _page(
    request: Request, admin: Person, values: dict[str, Any], *, status_code: int = 200,
    errors: list[FieldError] | None = None, preview: dict[str, Any] | None = None, refusal: str | None = None,
    notice: str | None = None,
) -> Response:
    province = admin.province_code or ""
    area = pick(province, values["regency_code"] or None, values["district_code"] or None,
                values["village_code"] or None)
    return pages(request).render(
        request, "admin_rules.html", status_code=status_code, values=values, errors=errors or [], area=area,
        province=province_name(province), preview=preview, refusal=refusal, notice=notice,
        admin_labels=admin_labels, form=rules_form, done=request.session.pop("done", None),
    )


@router.get(PAGE)
async def rules_page(request: Request, admin: Admin, token: Token) -> Response:
    try:
        document = await directory.rules(services_of(request), token, language(request), admin.province_code or "")
    except ServiceError as error:
        return service_error_page(request, error)
    values = rules_form.form_values({"rules_yaml": rules_form.with_next_version(document)}, {})
    return _page(request, admin, values)


@router.post(PAGE, dependencies=[Depends(check_csrf)])
async def rules_action(request: Request, admin: Admin, token: Token) -> Response:
    form = await request.form()
    values = rules_form.form_values(form, {name: [str(v) for v in form.getlist(name)] for name in rules_form.LISTS})
    action = form.get("action")
    if action not in ("preview", "save"):  # "Show": the pickers below the place chosen, nothing sent
        return _page(request, admin, values)
    body, errors = rules_form.preview_body(values)
    if errors:
        return _page(request, admin, values, status_code=422, errors=errors)
    services, lang, province = services_of(request), language(request), admin.province_code or ""
    try:
        preview = await directory.preview(services, token, lang, province, body)
    except ServiceError as error:
        if error.status == 422:
            values["previewed"] = ""
            return _page(request, admin, values, status_code=422, errors=rules_form.preview_errors(error.detail))
        return service_error_page(request, error)
    seen = values["previewed"] == rules_form.digest(values["rules_yaml"])
    values["previewed"] = rules_form.digest(values["rules_yaml"])
    if action == "preview" or not seen:
        notice = None if action == "preview" else "check_preview"
        return _page(request, admin, values, preview=preview, notice=notice)
    try:
        await directory.put_rules(services, token, lang, province, body["rules"])
    except ServiceError as error:
        items = [i for i in error.detail if isinstance(i, dict)] if isinstance(error.detail, list) else []
        if error.status in (403, 409) and items:
            reason = " ".join(str(item.get("msg", "")) for item in items)
            refusal = pages(request).gettext(request, admin_labels.REFUSED[error.status]) % {"reason": reason}
            return _page(request, admin, values, status_code=error.status, preview=preview, refusal=refusal)
        if error.status == 422:
            return _page(request, admin, values, status_code=422, errors=rules_form.preview_errors(error.detail))
        return service_error_page(request, error)
    request.session["done"] = "rules_saved"
    return RedirectResponse(PAGE, status_code=303)
