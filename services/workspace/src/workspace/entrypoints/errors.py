"""Pages for what goes wrong: sign-in needed, a forbidden or missing page, a service that is down."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from workspace.entrypoints.people import NoWorkspaceYetError, sign_in_required
from workspace.entrypoints.rendering import pages
from workspace.service_layer.signin import SignInRequiredError


async def http_error_page(request: Request, error: Exception) -> Response:
    status = error.status_code if isinstance(error, HTTPException) else 500
    template = {403: "forbidden.html", 404: "not_found.html"}.get(status, "error.html")
    return pages(request).render(request, template, status_code=status)


async def no_workspace_yet(request: Request, _error: Exception) -> Response:
    return pages(request).render(request, "not_yet.html", status_code=403)


def register_error_pages(app: FastAPI) -> None:
    app.exception_handler(NoWorkspaceYetError)(no_workspace_yet)
    app.exception_handler(SignInRequiredError)(sign_in_required)
    app.exception_handler(HTTPException)(http_error_page)
