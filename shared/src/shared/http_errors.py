"""Refusals outside request validation, in the shape and language of the 422s (``shared.validation_messages``):
``{"detail": [{"loc", "msg", "type"}]}``, Bahasa Indonesia unless ``Accept-Language`` asks for English.

- :func:`refused` (a refusal of the catalogue, ``shared.refusal_messages``, by its ``type``) and
  :func:`refused_by` (a domain rule's own :class:`~shared.validation_messages.LocalizedValueError`) build the
  :class:`LocalizedHTTPError` an endpoint raises where an HTTPException would be. No service raises an
  HTTPException itself (``tests/test_service_refusals.py`` checks the source);
- :func:`http_exception_handler` answers the HTTPExceptions Starlette and FastAPI raise themselves: FastAPI's
  400 for a body it could not parse (one that is not UTF-8), which otherwise says ``{"detail": "There was an
  error parsing the body"}`` in English only, the 404 of an unknown address, the 405 of a wrong method;
- :func:`internal_error_handler` answers an unexpected fault (500) in the same shape, saying nothing of it;
- :func:`scope_language` gives an ASGI middleware (the body-size limit's 413) the language to answer in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import Request, status
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from shared.language import Language, negotiate_language
from shared.validation_messages import LocalizedValueError, localized_error_response, request_language

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


def refused(
    status_code: int, error_type: str, loc: Iterable[str | int], *, headers: Mapping[str, str] | None = None,
    **ctx: object,
) -> LocalizedHTTPError:
    """A refusal worded by the catalogue (``shared.refusal_messages``) from ``error_type`` and ``ctx``, e.g.
    ``raise refused(404, "case_not_found", ("path", "case_id"))``."""
    return LocalizedHTTPError(status_code, [edge_error(error_type, loc, **ctx)], headers=headers)


def refused_by(status_code: int, error: LocalizedValueError, loc: Iterable[str | int]) -> LocalizedHTTPError:
    """A refusal by a domain rule that words itself in both languages (its ``code`` is the item's type), in the
    way a :class:`~shared.validation_messages.DomainValidationError` words a 422."""
    return LocalizedHTTPError(status_code, [{"type": "value_error", "loc": tuple(loc), "ctx": {"error": error}}])


# The HTTPExceptions raised by Starlette and FastAPI themselves, by status: the type that words them.
_FRAMEWORK_REFUSALS = {
    status.HTTP_404_NOT_FOUND: ("not_found", ("path",)),
    status.HTTP_405_METHOD_NOT_ALLOWED: ("method_not_allowed", ("method",)),
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: ("unsupported_media_type", ("body",)),
}


async def http_exception_handler(request: Request, error: StarletteHTTPException) -> Response:
    """An HTTPException raised by the framework, in the shared shape and language; its headers (a 405's
    ``Allow``) are kept, its English detail is not."""
    if error.status_code < status.HTTP_400_BAD_REQUEST:
        return Response(status_code=error.status_code, headers=error.headers)  # not an error (a 304): no body
    if error.status_code == status.HTTP_400_BAD_REQUEST and error.detail == FASTAPI_PARSE_ERROR:
        # JSON must be UTF-8 (RFC 8259 §8.1); what else fails here is a body FastAPI could not read at all.
        kind = "body_not_utf8" if isinstance(error.__cause__, UnicodeDecodeError) else "body_unreadable"
        item = edge_error(kind)
    elif error.status_code in _FRAMEWORK_REFUSALS:
        kind, loc = _FRAMEWORK_REFUSALS[error.status_code]
        item = edge_error(kind, loc)
    else:
        item = edge_error("http_error", ("request",), status_code=error.status_code)
    return localized_error_response([item], request_language(request), status_code=error.status_code,
                                    headers=error.headers)


async def internal_error_handler(request: Request, _error: Exception) -> Response:
    """An unexpected fault: 500 in the shared shape, naming nothing of it (it is logged by the server)."""
    return localized_error_response(
        [edge_error("internal_error", ("service",))], request_language(request),
        status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def scope_language(scope: Scope) -> Language:
    """The language to answer an ASGI request in, from its ``Accept-Language`` header."""
    for name, value in scope.get("headers", ()):
        if name == b"accept-language":
            return negotiate_language(value.decode("latin-1"))
    return negotiate_language(None)
