"""A referral's follow-ups (routing keeps them for the referral's agency): set one, mark one done."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from workspace.adapters.services import ServiceError
from workspace.domain.follow_ups import parse_follow_up
from workspace.domain.person import Person
from workspace.entrypoints.people import bearer_token, workspace_person
from workspace.entrypoints.referral_page import PAGE, refused, services_of, show
from workspace.entrypoints.rendering import language
from workspace.entrypoints.security import check_csrf

router = APIRouter(include_in_schema=False)
SignedIn = Annotated[Person, Depends(workspace_person)]
Token = Annotated[str, Depends(bearer_token)]


@router.post(PAGE + "/follow-ups", dependencies=[Depends(check_csrf)])
async def add_follow_up(
    request: Request, case_id: UUID, referral_id: UUID, _person: SignedIn, token: Token
) -> Response:
    form = await request.form()
    values = {name: str(form.get(name) or "") for name in ("due_date", "due_time", "follow_up_note", "province")}
    due, errors = parse_follow_up(values["due_date"], values["due_time"], values["follow_up_note"],
                                  province_code=values["province"][:2], now=datetime.now(UTC))
    if errors or due is None:
        return await show(request, token, case_id, referral_id, status_code=422, errors=errors, values=values)
    try:
        await services_of(request).add_follow_up(token, language(request), referral_id, due_at=due.isoformat(),
                                                 note=values["follow_up_note"])
    except ServiceError as error:
        return await refused(request, token, case_id, referral_id, error=error, values=values)
    request.session["done"] = "follow_up"
    return RedirectResponse(PAGE.format(case_id=case_id, referral_id=referral_id), status_code=303)


@router.post(PAGE + "/follow-ups/{follow_up_id}/done", dependencies=[Depends(check_csrf)])
async def follow_up_done(
    request: Request, case_id: UUID, referral_id: UUID, follow_up_id: UUID, _person: SignedIn, token: Token
) -> Response:
    try:
        await services_of(request).follow_up_done(token, language(request), referral_id, follow_up_id)
    except ServiceError as error:
        return await refused(request, token, case_id, referral_id, error=error, values={})
    request.session["done"] = "follow_up_done"
    return RedirectResponse(PAGE.format(case_id=case_id, referral_id=referral_id), status_code=303)
