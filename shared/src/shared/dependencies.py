"""FastAPI dependencies every service's endpoints use: the caller's identity, and a unit of work that acts as
that caller in the database (row-level security), the running service and its field cipher.

The bearer token is verified once per request. A request without one is the anonymous public; endpoints that
need more declare ``Depends(require_roles(...))`` and answer 401 (no or bad token) or 403 (wrong role). Error
bodies name the reason only, never a token or claim value.

Every dependency is ``async def``, even one that only reads an attribute: FastAPI runs a plain ``def`` in a worker
thread, a thread hop per request (``tests/test_service_apps.py`` checks every service's endpoints).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request, status
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.access import ANONYMOUS, AccessContext
from shared.auth import AuthenticationError, Principal, Role, TokenVerifier
from shared.crypto import FieldCipher
from shared.http_errors import refused
from shared.limits import InFlightLimitMiddleware, public_rate_limit
from shared.service import Runtime
from shared.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
AUTHORIZATION = ("header", "authorization")
BEARER = {"WWW-Authenticate": "Bearer"}
_bearer = HTTPBearer(auto_error=False, description="JWT from the province's identity provider")


async def current_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def current_cipher(request: Request) -> FieldCipher:
    cipher: FieldCipher = request.app.state.cipher
    return cipher


async def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    """The verified caller; the anonymous public when the request carries no token."""
    if credentials is None:
        return ANONYMOUS
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        return await verifier.verify_async(credentials.credentials)
    except AuthenticationError as error:
        # Expired is worth telling apart; the other reasons (safe to log) go to the log, not to the caller.
        log.info("token refused: %s", error.reason)
        kind = "token_expired" if error.reason == "token expired" else "token_invalid"
        raise refused(status.HTTP_401_UNAUTHORIZED, kind, AUTHORIZATION, headers=BEARER) from None


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def anonymous_rate_limit(request: Request, principal: CurrentPrincipal) -> None:
    """The public rate limit (``shared.limits``) for callers without a token, on endpoints that answer everyone
    but serve the signed-in too: those are known and accountable, and their tools may poll."""
    if principal.roles == {Role.PUBLIC}:
        await public_rate_limit(request)


_ROLE_CHECKS: set[Callable[..., object]] = set()  # the checks of require_roles that turn the public away (for docs)


def require_roles(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets through only principals holding one of ``roles``."""
    allowed = frozenset(roles)

    async def check(principal: CurrentPrincipal) -> Principal:
        if principal.roles == {Role.PUBLIC} and Role.PUBLIC not in allowed:
            raise refused(status.HTTP_401_UNAUTHORIZED, "authentication_required", AUTHORIZATION, headers=BEARER)
        if not principal.roles & allowed:
            raise refused(status.HTTP_403_FORBIDDEN, "role_not_allowed", AUTHORIZATION)
        return principal

    if Role.PUBLIC not in allowed:
        _ROLE_CHECKS.add(check)
    return check


CurrentRuntime = Annotated[Runtime, Depends(current_runtime)]
CurrentCipher = Annotated[FieldCipher, Depends(current_cipher)]


async def current_unit_of_work(runtime: CurrentRuntime, principal: CurrentPrincipal) -> UnitOfWork:
    return runtime.unit_of_work(AccessContext.of(principal))


# Acts in the database as the request's principal: row-level security applies to everything it reads.
CurrentUnitOfWork = Annotated[UnitOfWork, Depends(current_unit_of_work)]


# What the service shell and these dependencies answer besides each endpoint's own responses.
UNREADABLE_BODY: dict[str, Any] = {"description": "The body could not be read as JSON"}
TOO_LARGE: dict[str, Any] = {"description": "The body is larger than the service accepts"}
UNAUTHENTICATED: dict[str, Any] = {"description": "No token where one is required, or an invalid or expired one"}
FORBIDDEN: dict[str, Any] = {"description": "Not allowed for your role"}
TOO_MANY: dict[str, Any] = {
    "description": "Too many requests from this client",
    "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
}
UNAVAILABLE: dict[str, Any] = {
    "description": "The service is at capacity, or the database cannot be reached, for now: nothing was done; try "
    "again after `Retry-After` seconds",
    "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
}


LOCALIZED_ERROR: dict[str, Any] = {
    "title": "LocalizedError",
    "description": "Every error a service answers (401, 403, 404, 409, 413, 415, 422, 429, 503...): why, in "
                   "Bahasa Indonesia unless `Accept-Language` asks for English (`Content-Language` says which); "
                   "never the input.",
    "type": "object", "required": ["detail"],
    "properties": {"detail": {"type": "array", "items": {
        "type": "object", "required": ["loc", "msg", "type"],
        "properties": {
            "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                    "description": "Where: e.g. `[\"path\", \"case_id\"]`, `[\"body\", \"active\"]`"},
            "msg": {"type": "string", "description": "The reason, in the answer's language"},
            "type": {"type": "string", "description": "The refusal's stable code, e.g. `case_not_found`, "
                                                      "`referral_ended`"},
        },
    }}},
}


LOCALIZED_ERROR_REF = {"$ref": "#/components/schemas/LocalizedError"}


def document_shared_responses(app: FastAPI) -> None:
    """Make ``app``'s OpenAPI document say on each operation what the service shell (``shared.service``) and
    these dependencies may answer: 400 and 413 for a body it cannot read or will not take, 401 where the caller's
    token is read, 403 where ``require_roles`` turns the public away (the token is required there; elsewhere it is
    optional: the public calls without one), 429 where the public rate limit applies and 503 everywhere but the
    health endpoints (at capacity, or the database unreachable)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = generate()  # kept by the app as its openapi_schema: documented once
        for context in iter_route_contexts(app.routes):
            route = context.original_route
            if isinstance(route, APIRoute) and route.include_in_schema and context.path_format:
                for method in route.methods or ():
                    _document(document["paths"][context.path_format][method.lower()], route)
        document.setdefault("components", {}).setdefault("schemas", {})["LocalizedError"] = LOCALIZED_ERROR
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def _document(operation: dict[str, Any], route: APIRoute) -> None:
    calls = {dependency.call for dependency in _dependants(route.dependant)}
    responses = operation["responses"]
    if route.body_field is not None:  # FastAPI reads it
        responses.setdefault("400", UNREADABLE_BODY)
    if "requestBody" in operation:
        responses.setdefault("413", TOO_LARGE)
    if current_principal in calls:
        responses.setdefault("401", UNAUTHENTICATED)
        if calls & _ROLE_CHECKS:
            responses.setdefault("403", FORBIDDEN)
        else:
            operation["security"] = [*operation.get("security", []), {}]  # {}: or no token at all
    if calls & {public_rate_limit, anonymous_rate_limit}:
        responses.setdefault("429", TOO_MANY)
    if route.path not in InFlightLimitMiddleware.ALWAYS_ANSWERED:
        responses.setdefault("503", UNAVAILABLE)
    for code, response in responses.items():  # the errors: each in the shared shape (a copy: shared dicts)
        if code.isdigit() and int(code) >= status.HTTP_400_BAD_REQUEST and "content" not in response:
            responses[code] = {**response, "content": {"application/json": {"schema": LOCALIZED_ERROR_REF}}}


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    for dependency in dependant.dependencies:
        yield dependency
        yield from _dependants(dependency)
