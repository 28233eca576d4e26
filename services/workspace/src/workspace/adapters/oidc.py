"""The OIDC client (Authlib's Starlette integration over httpx): authorization code with PKCE (S256) against
the provider's discovery document, which is read on first use, never at start."""

from __future__ import annotations

from typing import Any

import jwt
from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App

from workspace.settings import WorkspaceSettings

NAME = "sinergi"


def oidc_client(settings: WorkspaceSettings) -> StarletteOAuth2App:
    oauth = OAuth()
    client: StarletteOAuth2App = oauth.register(
        NAME,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret.get_secret_value(),
        server_metadata_url=settings.oidc_discovery_url
        or f"{settings.oidc_issuer.rstrip('/')}/.well-known/openid-configuration",
        client_kwargs={
            "scope": settings.oidc_scope, "code_challenge_method": "S256",
            "token_endpoint_auth_method": "client_secret_basic", "timeout": settings.service_timeout_seconds,
        },
    )
    return client


async def refresh(client: StarletteOAuth2App, refresh_token: str) -> dict[str, Any]:
    token: dict[str, Any] = await client.fetch_access_token(grant_type="refresh_token", refresh_token=refresh_token)
    return token


async def end_session_url(client: StarletteOAuth2App, *, id_token: str | None, after: str) -> str | None:
    """The provider's end_session URL, or None when it publishes none."""
    metadata = await client.load_server_metadata()
    if not metadata.get("end_session_endpoint"):
        return None
    result = await client.create_logout_url(post_logout_redirect_uri=after, id_token_hint=id_token)
    return str(result["url"])


def unverified_claims(access_token: str) -> dict[str, Any]:
    """The claims of the person's access token, for showing who is signed in. Not verified here: the workspace
    decides nothing with them; every service verifies the token itself on every call."""
    try:
        claims: dict[str, Any] = jwt.decode(access_token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return {}
    return claims
