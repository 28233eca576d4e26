"""FastAPI dependencies every service's endpoints use: the caller's identity, and a unit of work that acts as
that caller in the database (row-level security), the running service and its field cipher.

The bearer token is verified once per request. A request without one is the anonymous public; endpoints that
need more declare ``Depends(require_roles(...))`` and answer 401 (no or bad token) or 403 (wrong role). Error
bodies name the reason only, never a token or claim value.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.access import ANONYMOUS, AccessContext
from shared.auth import AuthenticationError, Principal, Role, TokenVerifier
from shared.crypto import FieldCipher
from shared.limits import public_rate_limit
from shared.service import Runtime
from shared.unit_of_work import UnitOfWork

_bearer = HTTPBearer(auto_error=False, description="JWT from the province's identity provider")


def current_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def current_cipher(request: Request) -> FieldCipher:
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
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, f"invalid token: {error.reason}", headers={"WWW-Authenticate": "Bearer"}
        ) from None


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def anonymous_rate_limit(request: Request, principal: CurrentPrincipal) -> None:
    """The public rate limit (``shared.limits``) for callers without a token, on endpoints that answer everyone
    but serve the signed-in too: those are known and accountable, and their tools may poll."""
    if principal.roles == {Role.PUBLIC}:
        await public_rate_limit(request)


def require_roles(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets through only principals holding one of ``roles``."""
    allowed = frozenset(roles)

    async def check(principal: CurrentPrincipal) -> Principal:
        if principal.roles == {Role.PUBLIC} and Role.PUBLIC not in allowed:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, "authentication required", headers={"WWW-Authenticate": "Bearer"}
            )
        if not principal.roles & allowed:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "not allowed for your role")
        return principal

    return check


CurrentRuntime = Annotated[Runtime, Depends(current_runtime)]
CurrentCipher = Annotated[FieldCipher, Depends(current_cipher)]


def current_unit_of_work(runtime: CurrentRuntime, principal: CurrentPrincipal) -> UnitOfWork:
    return runtime.unit_of_work(AccessContext.of(principal))


# Acts in the database as the request's principal: row-level security applies to everything it reads.
CurrentUnitOfWork = Annotated[UnitOfWork, Depends(current_unit_of_work)]
