"""The inbox: the referrals to the person's agency, or of a district supervisor's regency, as routing lists them
(most urgent first), with filters and cursor paging."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from workspace.adapters.services import ServiceError
from workspace.domain.inbox import PRIORITIES, STATUSES, InboxFilters, inbox_page
from workspace.domain.person import Person
from workspace.entrypoints.people import bearer_token, workspace_person
from workspace.entrypoints.referral_page import service_error_page, services_of
from workspace.entrypoints.rendering import language, pages

router = APIRouter(include_in_schema=False)


@router.get("/inbox")
async def inbox(
    request: Request, person: Annotated[Person, Depends(workspace_person)], token: Annotated[str, Depends(bearer_token)]
) -> Response:
    filters = InboxFilters.parse(request.query_params)
    try:
        answer = await services_of(request).referrals(token, language(request), filters.params())
    except ServiceError as error:
        return service_error_page(request, error)
    page = inbox_page(answer, datetime.now(UTC))
    next_url = f"/inbox?{urlencode(filters.query(page.next_cursor))}" if page.next_cursor else None
    return pages(request).render(request, "inbox.html", me=person, page=page, filters=filters, next_url=next_url,
                                 statuses=STATUSES, priorities=PRIORITIES)
