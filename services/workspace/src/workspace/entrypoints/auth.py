"""Signing in (authorization code + PKCE at the OIDC provider) and out (here and at the provider)."""

from __future__ import annotations

import logging

from authlib.integrations.base_client import OAuthError
from authlib.integrations.starlette_client import StarletteOAuth2App
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from workspace.adapters.oidc import end_session_url, unverified_claims
from workspace.domain.session import safe_return_path
from workspace.entrypoints.rendering import language, pages
from workspace.entrypoints.security import check_csrf
from workspace.entrypoints.session_middleware import ROTATE
from workspace.service_layer.signin import signed_in
from workspace.settings import WorkspaceSettings

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)


def _client(request: Request) -> StarletteOAuth2App:
    client: StarletteOAuth2App = request.app.state.oidc
    return client


def _settings(request: Request) -> WorkspaceSettings:
    settings: WorkspaceSettings = request.app.state.settings
    return settings


@router.get("/auth/sign-in")
async def sign_in(request: Request) -> Response:
    try:
        response: Response = await _client(request).authorize_redirect(
            request, _settings(request).redirect_uri, ui_locales=language(request)
        )
    except Exception as error:  # noqa: BLE001 - the provider is unreachable: say so, never a traceback
        log.warning("sign-in: the identity provider is unreachable (%s)", type(error).__name__)
        return pages(request).render(request, "unavailable.html", status_code=503, what="provider")
    return response


@router.get("/auth/callback")
async def callback(request: Request) -> Response:
    client = _client(request)
    try:
        token = await client.authorize_access_token(request)
    except OAuthError as error:
        log.info("sign-in refused at the callback (%s)", error.error)
        return pages(request).render(request, "sign_in_failed.html", status_code=400)
    claims = {**unverified_claims(token["access_token"]), **dict(token.get("userinfo") or {})}
    lang = request.session.get("lang")
    signed_in(request.session, token, claims, lang)
    request.scope[ROTATE] = True
    return RedirectResponse(safe_return_path(request.session.pop("return_to", None)), status_code=303)


@router.post("/auth/sign-out")
async def sign_out(request: Request) -> Response:
    if not request.session.get("person"):
        return RedirectResponse("/auth/signed-out", status_code=303)  # the session had ended: nothing to end here
    await check_csrf(request)
    id_token = (request.session.get("tokens") or {}).get("id_token")
    lang = request.session.get("lang")
    request.session.clear()  # the local session ends here, whatever the provider answers
    after = f"{_settings(request).public_url.rstrip('/')}/"
    try:
        url = await end_session_url(_client(request), id_token=id_token, after=after)
    except Exception as error:  # noqa: BLE001 - signed out here; the provider's session ends by its own timeout
        log.warning("sign-out: the identity provider is unreachable (%s)", type(error).__name__)
        url = None
    if lang:
        request.session["lang"] = lang
        request.scope[ROTATE] = True
    return RedirectResponse(url or "/auth/signed-out", status_code=303)


@router.get("/auth/signed-out")
async def signed_out(request: Request) -> Response:
    return pages(request).render(request, "signed_out.html")
