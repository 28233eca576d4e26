"""Identities: every request carries a JWT bearer token, verified here into a ``Principal``.

In production the province's identity provider (e.g. Keycloak) signs tokens with RS256 or ES256 and publishes its
public keys as a JWKS document; only those algorithms are accepted and HS256 is refused by the settings. In
development tokens are HS256 with a shared secret, issued by ``issue_development_token`` (``sinergi token issue``).
Errors carry a short reason and never echo the token or any claim value.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import jwt

from shared.settings import AuthSettings

JWKS_ALGORITHMS = ("RS256", "ES256")
DEVELOPMENT_ALGORITHMS = ("HS256",)
_JWKS_CACHE_SECONDS = 300
_JWKS_TIMEOUT_SECONDS = 5
_CLOCK_SKEW_SECONDS = 30


class Role(StrEnum):
    PUBLIC = "public"
    OPERATOR = "operator"
    AGENCY_STAFF = "agency_staff"
    AGENCY_SUPERVISOR = "agency_supervisor"
    DISTRICT_SUPERVISOR = "district_supervisor"
    PROVINCE_ADMIN = "province_admin"
    AUDITOR = "auditor"
    # Keeps what every province shares (the national default rule set, the national agencies such as SAPA
    # 129); sees no case. A province's admin acts in their own province only.
    NATIONAL_ADMIN = "national_admin"


# The people of an agency: they see and act on what is referred to it.
AGENCY_ROLES = (Role.AGENCY_STAFF, Role.AGENCY_SUPERVISOR)


@dataclass(frozen=True)
class Principal:
    """Who is calling: the subject of a verified token and the agency and region it acts for."""

    user_id: str
    roles: frozenset[Role]
    agency_id: str | None = None
    agency_type: str | None = None
    province_code: str | None = None
    regency_code: str | None = None

    def has_role(self, *roles: Role) -> bool:
        """True if the principal holds any of ``roles``."""
        return any(role in self.roles for role in roles)

    def works_for(self, agency_id: str) -> bool:
        """True if the principal acts for ``agency_id`` as its staff or supervisor."""
        return self.agency_id == agency_id and self.has_role(*AGENCY_ROLES)

    def supervises(self, province_code: str, regency_code: str) -> bool:
        """True if one of the principal's supervising roles covers the region: a district supervisor their
        regency, a province admin or auditor their province. Mirrored in SQL by ``actor_supervises``."""
        if self.has_role(Role.DISTRICT_SUPERVISOR) and self.regency_code == regency_code:
            return True
        return self.has_role(Role.PROVINCE_ADMIN, Role.AUDITOR) and self.province_code == province_code


class AuthenticationError(Exception):
    """A token that is not accepted. ``reason`` is short and safe to log: it holds no token or claim value."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _hs256_secret(settings: AuthSettings) -> str:
    if settings.environment != "development" or settings.auth_jwks_url or settings.auth_hs256_secret is None:
        raise ValueError("HS256 tokens exist only in development without a JWKS URL")
    return settings.auth_hs256_secret.get_secret_value()


class TokenVerifier:
    def __init__(self, settings: AuthSettings) -> None:
        self._issuer = settings.auth_issuer
        self._audience = settings.auth_audience
        self._jwks: jwt.PyJWKClient | None = None
        self._secret: str | None = None
        if settings.auth_jwks_url:
            self._jwks = jwt.PyJWKClient(
                settings.auth_jwks_url,
                cache_keys=True,
                lifespan=_JWKS_CACHE_SECONDS,
                timeout=_JWKS_TIMEOUT_SECONDS,
            )
            self._algorithms: tuple[str, ...] = JWKS_ALGORITHMS
        else:
            self._secret = _hs256_secret(settings)
            self._algorithms = DEVELOPMENT_ALGORITHMS

    async def verify_async(self, token: str) -> Principal:
        """``verify`` off the event loop: fetching the JWKS document is blocking HTTP."""
        return await asyncio.to_thread(self.verify, token)

    def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise AuthenticationError("malformed token") from None
        if header.get("alg") not in self._algorithms:
            raise AuthenticationError("algorithm not allowed")
        try:
            claims = jwt.decode(
                token,
                key=self._key(header),
                algorithms=list(self._algorithms),
                issuer=self._issuer,
                audience=self._audience,
                leeway=_CLOCK_SKEW_SECONDS,
                options={
                    "require": ["exp", "iat", "iss", "aud", "sub"],
                    "verify_signature": True,
                    "enforce_minimum_key_length": True,
                },
            )
        except jwt.ExpiredSignatureError:
            raise AuthenticationError("token expired") from None
        except jwt.InvalidAudienceError:
            raise AuthenticationError("wrong audience") from None
        except jwt.InvalidIssuerError:
            raise AuthenticationError("wrong issuer") from None
        except jwt.MissingRequiredClaimError as error:
            raise AuthenticationError(f"missing claim {error.claim}") from None
        except jwt.InvalidSignatureError:
            raise AuthenticationError("bad signature") from None
        except jwt.ImmatureSignatureError:
            raise AuthenticationError("token not yet valid") from None
        except jwt.InvalidTokenError:
            raise AuthenticationError("invalid token") from None
        return _principal(claims)

    def _key(self, header: Mapping[str, Any]) -> jwt.PyJWK | str:
        if self._jwks is None:
            assert self._secret is not None
            return self._secret
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthenticationError("missing key id")
        try:
            return self._jwks.get_signing_key(kid)
        except jwt.PyJWKClientConnectionError:
            raise AuthenticationError("identity provider keys unavailable") from None
        except (jwt.PyJWKClientError, jwt.PyJWKError):
            raise AuthenticationError("unknown signing key") from None


def _optional_str(claims: Mapping[str, Any], name: str) -> str | None:
    value = claims.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise AuthenticationError(f"malformed claim {name}")
    return value


def _principal(claims: Mapping[str, Any]) -> Principal:
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise AuthenticationError("malformed claim sub")
    raw_roles = claims.get("sinergi_roles")
    if not isinstance(raw_roles, list) or not raw_roles or not all(isinstance(r, str) for r in raw_roles):
        raise AuthenticationError("malformed claim sinergi_roles")
    known = {role.value for role in Role}
    if any(r not in known for r in raw_roles):
        raise AuthenticationError("unknown role")
    return Principal(
        user_id=sub,
        roles=frozenset(Role(r) for r in raw_roles),
        agency_id=_optional_str(claims, "sinergi_agency"),
        agency_type=_optional_str(claims, "sinergi_agency_type"),
        province_code=_optional_str(claims, "sinergi_province"),
        regency_code=_optional_str(claims, "sinergi_regency"),
    )


def issue_development_token(
    settings: AuthSettings,
    *,
    user_id: str,
    roles: Iterable[Role | str],
    agency_id: str | None = None,
    agency_type: str | None = None,
    province_code: str | None = None,
    regency_code: str | None = None,
    ttl_seconds: int = 3600,
) -> str:
    """An HS256 token for development; refused outside development and when a JWKS URL is configured."""
    secret = _hs256_secret(settings)
    role_values = sorted({Role(role).value for role in roles})
    if not user_id or not role_values:
        raise ValueError("a token needs a user id and at least one role")
    if ttl_seconds <= 0:
        raise ValueError("ttl_seconds must be positive")
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": settings.auth_issuer,
        "aud": settings.auth_audience,
        "sub": user_id,
        "iat": now,
        "exp": now + ttl_seconds,
        "sinergi_roles": role_values,
    }
    optional = {
        "sinergi_agency": agency_id,
        "sinergi_agency_type": agency_type,
        "sinergi_province": province_code,
        "sinergi_regency": regency_code,
    }
    claims.update({name: value for name, value in optional.items() if value is not None})
    return jwt.encode(claims, secret, algorithm="HS256")
