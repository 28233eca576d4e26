from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from workspace.domain.person import Person
from workspace.domain.session import SessionLimits, csrf_matches, needs_refresh, safe_return_path
from workspace.service_layer.signin import SignInRequiredError, access_token, signed_in
from workspace.settings import DEVELOPMENT_CLIENT_SECRET, WorkspaceSettings

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
LIMITS = SessionLimits(idle=timedelta(minutes=30), absolute=timedelta(hours=12))


@pytest.mark.parametrize(("path", "expected"), [
    ("/referrals/5f0c?status=open", "/referrals/5f0c?status=open"),
    ("/inbox", "/inbox"),
    ("//evil.example/", "/"), ("/\\evil.example", "/"), ("https://evil.example/", "/"), ("inbox", "/"),
    ("/auth/callback?code=x", "/"), ("/inbox\r\nSet-Cookie: a=b", "/"), (None, "/"), ("", "/"),
])
def test_only_a_path_on_this_site_is_returned_to(path: str | None, expected: str) -> None:
    assert safe_return_path(path) == expected


def test_a_session_ends_when_idle_or_too_old() -> None:
    assert not LIMITS.expired(created_at=NOW - timedelta(hours=1), last_seen_at=NOW - timedelta(minutes=29), now=NOW)
    assert LIMITS.expired(created_at=NOW - timedelta(hours=1), last_seen_at=NOW - timedelta(minutes=30), now=NOW)
    assert LIMITS.expired(created_at=NOW - timedelta(hours=12), last_seen_at=NOW, now=NOW)


def test_csrf_tokens_must_match_and_exist() -> None:
    assert csrf_matches("abc", "abc")
    assert not csrf_matches("abc", "abd")
    assert not csrf_matches(None, None)
    assert not csrf_matches("", "")
    assert not csrf_matches("abc", None)


def test_a_token_close_to_expiry_is_renewed() -> None:
    assert needs_refresh(NOW.timestamp() + 10, NOW)
    assert not needs_refresh(NOW.timestamp() + 120, NOW)
    assert needs_refresh(None, NOW)


def test_the_person_is_read_from_the_token_claims() -> None:
    person = Person.from_claims({"sub": "u1", "name": "Sari", "sinergi_roles": ["agency_staff", 3],
                                 "sinergi_agency": "uptd-ppa-62.13", "sinergi_agency_type": "uptd_ppa"})
    assert person.roles == frozenset({"agency_staff"})
    assert person.works_in_agency
    assert Person.from_claims(person.as_claims()) == person
    assert not Person.from_claims({"sub": "a", "sinergi_roles": ["province_admin"]}).works_in_agency


def test_signing_in_drops_the_state_before_it_but_keeps_where_to_go() -> None:
    session: dict[str, Any] = {"_state_sinergi_x": {"data": 1}, "return_to": "/inbox", "csrf": "old"}
    signed_in(session, {"access_token": "a", "refresh_token": "r", "id_token": "i", "expires_in": 300},
              {"sub": "u1", "sinergi_roles": ["agency_staff"]}, "en")
    assert set(session) == {"person", "tokens", "return_to", "lang"}
    assert session["tokens"]["refresh_token"] == "r"


async def test_an_access_token_about_to_expire_is_renewed_once_and_kept() -> None:
    session: dict[str, Any] = {"person": {"sub": "u1"}, "tokens": {
        "access_token": "old", "refresh_token": "r1", "id_token": "i", "expires_at": NOW.timestamp() + 5}}
    used: list[str] = []

    async def renew(refresh_token: str) -> dict[str, Any]:
        used.append(refresh_token)
        return {"access_token": "new", "expires_in": 300}

    assert await access_token(session, renew, NOW) == "new"
    assert used == ["r1"]
    assert session["tokens"]["refresh_token"] == "r1"  # a provider that does not rotate keeps the old one
    assert await access_token(session, renew, NOW) == "new"
    assert used == ["r1"]


async def test_a_refused_renewal_asks_for_sign_in() -> None:
    session: dict[str, Any] = {"person": {"sub": "u1"}, "tokens": {
        "access_token": "old", "refresh_token": "r1", "expires_at": NOW.timestamp() - 5}}

    async def refuse(_refresh_token: str) -> dict[str, Any]:
        raise RuntimeError("invalid_grant")

    with pytest.raises(SignInRequiredError):
        await access_token(session, refuse, NOW)
    with pytest.raises(SignInRequiredError):
        await access_token({}, refuse, NOW)


def test_development_secrets_are_refused_outside_development() -> None:
    base = {"database_url": "postgresql+asyncpg://a@h/d", "environment": "production",
            "auth_jwks_url": "https://idp/jwks",
            "encryption_keys": {"k": "MTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTE="},
            "encryption_active_key_id": "k", "oidc_issuer": "https://idp", "cookie_secure": True}
    with pytest.raises(ValueError, match="oidc_client_secret"):
        WorkspaceSettings(**base, oidc_client_secret=DEVELOPMENT_CLIENT_SECRET)
    with pytest.raises(ValueError, match="cookie_secure"):
        WorkspaceSettings(**{**base, "cookie_secure": False}, oidc_client_secret="a-real-secret")
    assert WorkspaceSettings(**base, oidc_client_secret="a-real-secret").cookie_secure
