"""Signing in at the local OpenID Connect provider (deploy/oidc, a real Node process) as a browser would, with
Authlib as the relying party (the workspace's client, ``sinergi-workspace``), and a real service app (reporting,
in process on the real Postgres and broker) taking the access token: the authorization-code flow with PKCE, the
sign-in page and its errors, refresh, RP-initiated logout, and tokens the services must refuse."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import jwt
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client

from reporting.settings import ReportingSettings
from services.reporting.tests.integration.support import reporting_client
from shared.auth import AuthenticationError, TokenVerifier
from shared.settings import AuthSettings
from sinergi_local.identity import provider as oidc
from sinergi_local.identity.demo_users import seed_users
from sinergi_local.identity.sign_in import follow, form_action, sign_in
from sinergi_local.platform import stop_platform
from sinergi_local.processes import free_port, port_in_use, read_pid

pytestmark = pytest.mark.integration

CALLBACK = f"http://127.0.0.1:{oidc.WORKSPACE_PORT}/auth/callback"
HOME = f"http://127.0.0.1:{oidc.WORKSPACE_PORT}/"
USER = "province_admin.62"


@dataclass
class Walk:
    """One browser (its cookies) and one relying party (Authlib), for a user's way through the flow."""

    provider: oidc.OidcProvider
    browser: httpx.Client
    client: OAuth2Client
    metadata: dict[str, Any]

    def authorize(self, **params: str) -> tuple[httpx.Response, str]:
        """GET the authorization endpoint as the workspace sends the browser there, following the provider's own
        redirects; the page (or the redirect to the callback) and the PKCE verifier."""
        verifier = generate_token(48)
        url, _state = self.client.create_authorization_url(
            self.metadata["authorization_endpoint"], code_verifier=verifier, **params
        )
        return follow(self.browser, self.browser.get(url), CALLBACK), verifier

    def sign_in(self, username: str, password: str) -> dict[str, Any]:
        page, verifier = self.authorize()
        callback = follow(self.browser, self.browser.post(form_action(page), data={
            "username": username, "password": password}), CALLBACK)
        assert callback.is_redirect, callback.text
        token: dict[str, Any] = self.client.fetch_token(
            authorization_response=callback.headers["location"], code_verifier=verifier
        )
        return token


@pytest.fixture
def walk(identity_provider: oidc.OidcProvider) -> Iterator[Walk]:
    metadata = httpx.get(f"{identity_provider.issuer}/.well-known/openid-configuration").json()
    client = OAuth2Client(
        client_id=oidc.WORKSPACE_CLIENT, client_secret=identity_provider.client_secret(oidc.WORKSPACE_CLIENT),
        scope="openid profile", redirect_uri=CALLBACK, code_challenge_method="S256",
        token_endpoint=metadata["token_endpoint"],
    )
    with client, httpx.Client(timeout=10) as browser:
        yield Walk(identity_provider, browser, client, metadata)


@pytest.fixture(scope="module")
def other_provider(test_run_dir: Path) -> Iterator[oidc.OidcProvider]:
    """A second provider: another issuer with its own signing key and state."""
    run_dir = test_run_dir / "other-oidc"
    started = oidc.start(run_dir, free_port())
    try:
        yield started
    finally:
        oidc.stop(run_dir)


def verifier_for(
    provider: oidc.OidcProvider, *, issuer: str | None = None, audience: str | None = None
) -> TokenVerifier:
    """What every service runs to verify a token, with the settings `make up` gives it (or another issuer or
    audience)."""
    return TokenVerifier(AuthSettings(auth_jwks_url=provider.jwks_url, auth_issuer=issuer or provider.issuer,
                                      auth_audience=audience or provider.audience))


@pytest.fixture(scope="module")
async def reporting(
    make_settings: Callable[..., ReportingSettings], identity_provider: oidc.OidcProvider,
    bearer: Callable[..., dict[str, str]],
) -> AsyncIterator[httpx.AsyncClient]:
    """The reporting app, verifying the provider's tokens exactly as under `make up` (JWKS, issuer, audience)."""
    settings = make_settings(ReportingSettings, "reporting", auth_jwks_url=identity_provider.jwks_url,
                             auth_issuer=identity_provider.issuer, auth_audience=identity_provider.audience)
    async for client in reporting_client(settings, bearer):
        yield client


def _bearer(token: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token['access_token']}"}


async def test_the_authorization_code_flow_with_pkce_signs_in_and_a_service_takes_the_token(
    walk: Walk, reporting: httpx.AsyncClient
) -> None:
    password = walk.provider.demo_password()
    verifier = generate_token(48)
    url, state = walk.client.create_authorization_url(walk.metadata["authorization_endpoint"], code_verifier=verifier)
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["code_challenge"][0]
    assert "code_verifier" not in query

    # The provider sends the browser to its sign-in page.
    authorize = walk.browser.get(url)
    assert authorize.is_redirect
    page = walk.browser.get(urljoin(str(authorize.url), authorize.headers["location"]))
    assert page.status_code == 200
    assert '<label for="username">Nama pengguna</label>' in page.text
    assert '<label for="password">Kata sandi</label>' in page.text
    assert 'method="post"' in page.text

    # The credentials are posted; the provider redirects (through consent, given at once to this first-party
    # client) to the workspace's callback with a code, the state and its issuer.
    posted = walk.browser.post(form_action(page), data={"username": USER, "password": password})
    assert posted.is_redirect
    callback = follow(walk.browser, posted, CALLBACK)
    assert callback.is_redirect
    location = callback.headers["location"]
    assert location.startswith(CALLBACK)
    answer = parse_qs(urlsplit(location).query)
    assert answer["state"] == [state]
    assert answer["iss"] == [walk.provider.issuer]
    assert answer["code"][0]

    # The code, exchanged with the client's secret and the PKCE verifier.
    token = walk.client.fetch_token(authorization_response=location, code_verifier=verifier)
    assert {"access_token", "id_token", "refresh_token"} <= set(token)
    header = jwt.get_unverified_header(token["access_token"])
    assert header["alg"] == "RS256"
    kids = [key["kid"] for key in walk.browser.get(walk.provider.jwks_url).json()["keys"]]
    assert header["kid"] in kids

    # Without the verifier the same kind of code is refused: PKCE is checked, not decorative.
    url, _ = walk.client.create_authorization_url(walk.metadata["authorization_endpoint"], code_verifier=verifier)
    again = follow(walk.browser, walk.browser.get(url), CALLBACK)  # the provider's session signs in at once
    code = parse_qs(urlsplit(again.headers["location"]).query)["code"][0]
    secret = walk.provider.client_secret(oidc.WORKSPACE_CLIENT)
    refused = walk.browser.post(walk.metadata["token_endpoint"], auth=(oidc.WORKSPACE_CLIENT, secret),
                                data={"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK})
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"

    # The services read the demo user's principal from it...
    expected = seed_users()[USER].principal()
    assert verifier_for(walk.provider).verify(token["access_token"]) == expected
    # ...and a real service acts on it: a province admin of 62 gets exact figures for province 62, not for 63.
    own = await reporting.get("/v1/stats/cases", params={"group_by": "province"}, headers=_bearer(token))
    assert own.status_code == 200, own.text
    assert own.json()["exact"] is True
    other = await reporting.get("/v1/stats/cases", params={"group_by": "province", "province": "63"},
                                headers=_bearer(token))
    assert other.status_code == 200
    assert other.json()["exact"] is False
    forged = token["access_token"][:-4] + ("AAAA" if not token["access_token"].endswith("AAAA") else "BBBB")
    unsigned = await reporting.get("/v1/stats/cases", params={"group_by": "province"},
                                   headers={"Authorization": f"Bearer {forged}"})
    assert unsigned.status_code == 401


@pytest.mark.parametrize(("language", "message"), [
    ("id", "Nama pengguna atau kata sandi salah."),
    ("en", "The user name or password is wrong."),
])
def test_a_wrong_password_shows_the_error_and_keeps_the_user_name(walk: Walk, language: str, message: str) -> None:
    page, _ = walk.authorize(ui_locales=language)
    answer = walk.browser.post(form_action(page), data={"username": USER, "password": "not-the-password"})
    assert answer.status_code == 200, "the page again, not a redirect with a code"
    assert f'<html lang="{language}">' in answer.text
    assert 'class="error-summary" role="alert"' in answer.text
    assert f'<a href="#username">{message}</a>' in answer.text
    assert f'id="username-error">{message}</p>' in answer.text
    username = re.search(r'<input id="username"[^>]*>', answer.text, re.DOTALL)
    assert username is not None
    assert f'value="{USER}"' in username.group(0)
    assert 'aria-describedby="username-error"' in username.group(0)
    password = re.search(r'<input id="password"[^>]*>', answer.text, re.DOTALL)
    assert password is not None
    assert 'value=""' in password.group(0), "a password is never sent back"
    # The right password on the same page still signs in.
    callback = follow(walk.browser, walk.browser.post(form_action(answer), data={
        "username": USER, "password": walk.provider.demo_password()}), CALLBACK)
    assert callback.is_redirect
    assert "code=" in callback.headers["location"]


def test_the_sign_in_page_needs_no_script_and_loads_nothing_from_elsewhere(walk: Walk) -> None:
    page, _ = walk.authorize()
    assert "<script" not in page.text.lower()
    assert not re.search(r'(src|href)="(https?:)?//', page.text), "nothing loaded from another origin"
    assert "@import" not in page.text
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src" not in policy
    assert page.headers["cache-control"] == "no-store"
    for field in ("username", "password"):
        assert f'<label for="{field}">' in page.text
        assert f'<input id="{field}" name="{field}"' in page.text
    empty = walk.browser.post(form_action(page), data={"username": "", "password": ""})
    assert "Masukkan nama pengguna." in empty.text
    assert "Masukkan kata sandi." in empty.text


async def test_tokens_for_another_audience_or_from_another_issuer_are_refused(
    walk: Walk, reporting: httpx.AsyncClient, other_provider: oidc.OidcProvider
) -> None:
    token = walk.sign_in(USER, walk.provider.demo_password())["access_token"]
    with pytest.raises(AuthenticationError, match="wrong audience"):
        verifier_for(walk.provider, audience="another-api").verify(token)
    with pytest.raises(AuthenticationError, match="wrong issuer"):
        verifier_for(walk.provider, issuer="http://127.0.0.1:1").verify(token)

    # A real token of another provider (its own issuer and signing key), for the same user name and audience.
    stranger = sign_in(other_provider.local_party(), USER, other_provider.demo_password())["access_token"]
    assert jwt.decode(stranger, options={"verify_signature": False})["aud"] == walk.provider.audience
    answer = await reporting.get("/v1/stats/cases", params={"group_by": "province"},
                                 headers={"Authorization": f"Bearer {stranger}"})
    assert answer.status_code == 401
    with pytest.raises(AuthenticationError):
        verifier_for(walk.provider).verify(stranger)


def test_refresh_gives_a_new_access_token_for_the_same_person(walk: Walk) -> None:
    token = walk.sign_in("agency_staff.uptd-ppa-62.13", walk.provider.demo_password())
    refreshed = walk.client.refresh_token(walk.metadata["token_endpoint"], refresh_token=token["refresh_token"])
    assert refreshed["access_token"] != token["access_token"]
    verifier = verifier_for(walk.provider)
    assert verifier.verify(refreshed["access_token"]) == verifier.verify(token["access_token"])
    assert verifier.verify(refreshed["access_token"]).agency_id == "uptd-ppa-62.13"


def test_end_session_ends_the_providers_session(walk: Walk) -> None:
    token = walk.sign_in(USER, walk.provider.demo_password())
    signed_in, _ = walk.authorize()
    assert signed_in.is_redirect, "while the provider's session lasts, the browser is not asked again"

    logout = walk.browser.get(walk.metadata["end_session_endpoint"], params={
        "id_token_hint": token["id_token"], "post_logout_redirect_uri": HOME, "client_id": oidc.WORKSPACE_CLIENT})
    assert logout.status_code == 200
    assert 'name="logout" value="yes"' in logout.text
    assert "<script" not in logout.text.lower()
    xsrf = re.search(r'name="xsrf" value="([^"]+)"', logout.text)
    assert xsrf is not None
    done = walk.browser.post(form_action(logout), data={"xsrf": xsrf.group(1), "logout": "yes"})
    assert done.is_redirect
    assert done.headers["location"] == HOME

    page, _ = walk.authorize()
    assert page.status_code == 200
    assert '<input id="password"' in page.text, "signed out: the sign-in page again"
    silent, _ = walk.authorize(prompt="none")
    assert silent.is_redirect
    assert parse_qs(urlsplit(silent.headers["location"]).query)["error"] == ["login_required"]


def test_the_signing_key_and_the_sessions_survive_a_restart(other_provider: oidc.OidcProvider) -> None:
    token = sign_in(other_provider.local_party(), USER, other_provider.demo_password())
    keys_before = httpx.get(other_provider.jwks_url).json()["keys"]
    kid = jwt.get_unverified_header(token["access_token"])["kid"]
    assert [key["kid"] for key in keys_before] == [kid]

    stop_platform(other_provider.run_dir)  # what `make down` runs: nothing of the provider is left running
    assert read_pid(other_provider.run_dir / "pids" / f"{oidc.NAME}.pid") is None
    assert not port_in_use(other_provider.port)

    restarted = oidc.start(other_provider.run_dir, other_provider.port)
    assert httpx.get(restarted.jwks_url).json()["keys"] == keys_before
    assert verifier_for(restarted).verify(token["access_token"]) == seed_users()[USER].principal()
    # The refresh token issued before the restart is still known (the provider's storage is durable).
    party = restarted.local_party()
    metadata = party.metadata()
    with party.oauth_client(metadata) as client:
        refreshed = client.refresh_token(metadata["token_endpoint"], refresh_token=token["refresh_token"])
    assert jwt.get_unverified_header(refreshed["access_token"])["kid"] == kid


def test_a_stale_sign_in_link_shows_a_page_naming_only_the_error(identity_provider: oidc.OidcProvider) -> None:
    """An interaction the browser has no cookie for (expired, or opened elsewhere): a page, never a stack trace."""
    answer = httpx.get(f"{identity_provider.issuer}/interaction/not-a-real-one", headers={"accept-language": "en"})
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")
    assert "The sign-in request cannot be handled" in answer.text
    assert "<code>invalid_request</code>" in answer.text
    assert "SessionNotFound" not in answer.text
    assert "node_modules" not in answer.text


def test_a_user_name_is_locked_after_five_wrong_passwords_in_a_row(walk: Walk) -> None:
    user = "auditor.63"  # locked for minutes after this test: no other test signs in as this user
    page, _ = walk.authorize(ui_locales="en")
    for _ in range(5):
        page = walk.browser.post(form_action(page), data={"username": user, "password": "guess"})
        assert "The user name or password is wrong." in page.text
    answer = walk.browser.post(form_action(page), data={"username": user, "password": walk.provider.demo_password()})
    assert answer.status_code == 200, "even the right password does not sign in while the name is locked"
    assert "Too many failed attempts to sign in. Try again in 5 minutes." in answer.text
    # Other people still sign in.
    callback = follow(walk.browser, walk.browser.post(form_action(answer), data={
        "username": "auditor.64", "password": walk.provider.demo_password()}), CALLBACK)
    assert callback.is_redirect
