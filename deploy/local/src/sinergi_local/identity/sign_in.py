"""Signing a person in as a browser would, with Authlib as the relying party: the authorization-code flow with
PKCE (S256) against the provider's discovery document, the sign-in form posted like a browser posts it, and the
code exchanged with the client's secret. The demo seeding and ``sinergi token sign-in`` use it with the
``sinergi-local`` client; the tests walk the same steps one by one."""

from __future__ import annotations

import html
import re
import warnings
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx
from authlib.common.security import generate_token
from authlib.deprecate import AuthlibDeprecationWarning

with warnings.catch_warnings():
    # Authlib 1.9 would rather use the httpx2 fork; httpx, which the whole project pins, is its supported fallback.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client

_FORM_ACTION = re.compile(r'<form[^>]*\baction="([^"]+)"', re.IGNORECASE)
_MAX_REDIRECTS = 10


class SignInError(Exception):
    """The provider did not let the user in (wrong password, a refused request): the page it showed instead."""

    def __init__(self, message: str, page: httpx.Response) -> None:
        super().__init__(message)
        self.page = page


@dataclass(frozen=True)
class RelyingParty:
    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str
    scope: str = "openid profile"

    def metadata(self) -> dict[str, Any]:
        response = httpx.get(f"{self.issuer}/.well-known/openid-configuration", timeout=10)
        response.raise_for_status()
        metadata: dict[str, Any] = response.json()
        return metadata

    def oauth_client(self, metadata: dict[str, Any]) -> OAuth2Client:
        return OAuth2Client(
            client_id=self.client_id, client_secret=self.client_secret, scope=self.scope,
            redirect_uri=self.redirect_uri, code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_basic", timeout=10,  # noqa: S106 - a method name
            token_endpoint=metadata["token_endpoint"],
        )


def form_action(page: httpx.Response) -> str:
    """The absolute URL the page's (first) form posts to."""
    found = _FORM_ACTION.search(page.text)
    if found is None:
        raise SignInError("the page has no form", page)
    return urljoin(str(page.url), html.unescape(found.group(1)))


def follow(browser: httpx.Client, response: httpx.Response, stop_at: str) -> httpx.Response:
    """Follow redirects as a browser would, but stop at a redirect to ``stop_at`` (the client's redirect URI,
    which nothing needs to listen on): that redirect is returned, not followed."""
    for _ in range(_MAX_REDIRECTS):
        location = response.headers.get("location")
        if not response.is_redirect or location is None:
            return response
        target = urljoin(str(response.url), location)
        if target.startswith(stop_at):
            return response
        response = browser.get(target)
    raise SignInError("too many redirects", response)


def sign_in(party: RelyingParty, username: str, password: str) -> dict[str, Any]:
    """Sign ``username`` in; the token response (``access_token``, ``id_token``, ``refresh_token``)."""
    metadata = party.metadata()
    verifier = generate_token(48)
    with party.oauth_client(metadata) as client, httpx.Client(timeout=10) as browser:
        url, _state = client.create_authorization_url(metadata["authorization_endpoint"], code_verifier=verifier)
        page = follow(browser, browser.get(url), party.redirect_uri)
        if page.is_redirect:
            raise SignInError("the provider answered without showing its sign-in page", page)
        submitted = browser.post(form_action(page), data={"username": username, "password": password})
        callback = follow(browser, submitted, party.redirect_uri)
        if not callback.is_redirect:
            raise SignInError(f"the provider did not let {username} in", callback)
        redirected = urljoin(str(callback.url), callback.headers["location"])
        token: dict[str, Any] = client.fetch_token(authorization_response=redirected, code_verifier=verifier)
        return token
