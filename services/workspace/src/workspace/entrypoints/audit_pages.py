"""The auditor's pages: find a case by its number or id; its trail (what happened, when, by which service, agency
and user), its personal-data reads (who read which field, when) and whether its hash chain verifies, the first
broken record named by its position. Nothing of the case's personal data is shown or asked for."""

from __future__ import annotations

import asyncio
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from workspace.adapters import oversight
from workspace.adapters.services import ServiceError
from workspace.domain.audit import ChainResult, parse_case_query
from workspace.domain.person import Person
from workspace.domain.referrals import FieldError
from workspace.entrypoints.people import auditor, bearer_token
from workspace.entrypoints.referral_page import service_error_page, services_of
from workspace.entrypoints.rendering import language, pages

router = APIRouter(include_in_schema=False)
Auditor = Annotated[Person, Depends(auditor)]
Token = Annotated[str, Depends(bearer_token)]


@router.get("/audit")
async def find_case(request: Request, me: Auditor, token: Token, case: str | None = None) -> Response:
    """The search form; with ``case`` typed, the case's page, or the form again saying what is wrong."""
    if case is None:
        return pages(request).render(request, "audit_find.html", me=me, errors=[], values={})
    query, errors = parse_case_query(case)
    values = {"case": case}
    if query is not None and query.case_id is not None:
        return RedirectResponse(f"/audit/cases/{query.case_id}", status_code=303)
    if query is not None and query.case_number is not None:
        try:
            found = await oversight.cases_numbered(services_of(request), token, language(request), query.case_number)
        except ServiceError as error:
            return service_error_page(request, error)
        if len(found) == 1:
            return RedirectResponse(f"/audit/cases/{found[0]['case_id']}", status_code=303)
        errors = [FieldError("case", "case_not_found")]
    status = 404 if errors and errors[0].code == "case_not_found" else 422
    return pages(request).render(request, "audit_find.html", status_code=status, me=me, errors=errors, values=values)


@router.get("/audit/cases/{case_id}")
async def case_audit(request: Request, case_id: UUID, me: Auditor, token: Token) -> Response:
    services, lang = services_of(request), language(request)
    try:
        trail, reads, verification = await asyncio.gather(
            oversight.case_trail(services, token, lang, case_id), oversight.case_reads(services, token, lang, case_id),
            oversight.chain_verification(services, token, lang, case_id))
    except ServiceError as error:
        return service_error_page(request, error)
    case_number = next((r["details"].get("case_number") for r in trail if r.get("event_type") == "case.reported"),
                       None)
    return pages(request).render(
        request, "audit_case.html", me=me, case_id=case_id, case_number=case_number, trail=trail, reads=reads,
        chain=ChainResult.of(verification), province=me.province_code or "")
