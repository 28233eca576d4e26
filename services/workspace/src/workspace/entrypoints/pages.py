"""The pages of the workspace that are not about one referral: home, language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from workspace.domain.person import Person
from workspace.domain.session import safe_return_path
from workspace.entrypoints.people import current_person
from workspace.entrypoints.rendering import LANGUAGES, pages
from workspace.entrypoints.security import check_csrf

router = APIRouter(include_in_schema=False)


@router.get("/")
async def home(request: Request, person: Annotated[Person, Depends(current_person)]) -> Response:
    return pages(request).render(request, "home.html", me=person)


@router.post("/language", dependencies=[Depends(check_csrf)])
async def choose_language(
    request: Request, lang: Annotated[str, Form()], back: Annotated[str, Form()] = "/"
) -> Response:
    if lang in LANGUAGES:
        request.session["lang"] = lang
    return RedirectResponse(safe_return_path(back), status_code=303)
