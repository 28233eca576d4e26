"""Refusals outside request validation, in the shape and language of the 422s (``shared.validation_messages``):
``{"detail": [{"loc", "msg", "type"}]}``, Bahasa Indonesia unless ``Accept-Language`` asks for English.

- :class:`LocalizedHTTPError` is raised where an HTTPException would be (the public rate limit's 429);
- :func:`unreadable_body_handler` answers FastAPI's own 400 for a body it could not parse (one that is not
  UTF-8), which otherwise says ``{"detail": "There was an error parsing the body"}`` in English only;
- :func:`scope_language` gives an ASGI middleware (the body-size limit's 413) the language to answer in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import Request, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from shared.language import Language, negotiate_language
from shared.validation_messages import localized_error_response, request_language

# FastAPI's detail when reading the body raised (fastapi.routing.get_request_handler); its cause says why.
FASTAPI_PARSE_ERROR = "There was an error parsing the body"


def edge_error(error_type: str, loc: Iterable[str | int] = ("body",), **ctx: object) -> dict[str, Any]:
    """One error item, worded by ``shared.validation_messages`` from ``error_type`` and ``ctx`` (never input)."""
    return {"type": error_type, "loc": tuple(loc), "ctx": ctx}


class LocalizedHTTPError(Exception):
    """An HTTP refusal worded in the request's language. Register :func:`localized_http_error_handler` for it
    (``shared.service.create_service_app`` does)."""

    def __init__(
        self, status_code: int, errors: Iterable[Mapping[str, Any]], *, headers: Mapping[str, str] | None = None
    ) -> None:
        self.status_code = status_code
        self.errors = tuple(errors)
        self.headers = dict(headers or {})
        super().__init__(", ".join(str(error["type"]) for error in self.errors))  # types only: safe to log


async def localized_http_error_handler(request: Request, error: LocalizedHTTPError) -> JSONResponse:
    return localized_error_response(
        error.errors, request_language(request), status_code=error.status_code, headers=error.headers
    )


async def unreadable_body_handler(request: Request, error: StarletteHTTPException) -> Response:
    """FastAPI's 400 for a body it could not parse, localized; every other HTTPException as FastAPI answers it."""
    if error.status_code != status.HTTP_400_BAD_REQUEST or error.detail != FASTAPI_PARSE_ERROR:
        return await http_exception_handler(request, error)
    # JSON must be UTF-8 (RFC 8259 §8.1); what else fails here is a body FastAPI could not read at all.
    kind = "body_not_utf8" if isinstance(error.__cause__, UnicodeDecodeError) else "body_unreadable"
    return localized_error_response([edge_error(kind)], request_language(request), status_code=error.status_code)


def scope_language(scope: Scope) -> Language:
    """The language to answer an ASGI request in, from its ``Accept-Language`` header."""
    for name, value in scope.get("headers", ()):
        if name == b"accept-language":
            return negotiate_language(value.decode("latin-1"))
    return negotiate_language(None)
