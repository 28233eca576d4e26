"""The workspace's OIDC client against the real provider (deploy/oidc): a person signed in with the workspace's
client has their access token renewed with the refresh token, as the workspace does before a call when the token
is about to expire; the claims the pages show are in the token; a refresh token the provider no longer honours
sends the person back to sign-in."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from sinergi_local.identity import provider as oidc
from sinergi_local.identity.sign_in import RelyingParty, sign_in
from workspace.adapters.oidc import oidc_client, refresh, unverified_claims
from workspace.domain.person import Person
from workspace.service_layer.signin import SignInRequiredError, access_token
from workspace.settings import WorkspaceSettings

pytestmark = pytest.mark.integration

USER = "agency_staff.uptd-ppa-62.13"


async def test_an_expiring_access_token_is_renewed_at_the_provider(identity_provider: oidc.OidcProvider) -> None:
    secret = identity_provider.client_secret(oidc.WORKSPACE_CLIENT)
    party = RelyingParty(identity_provider.issuer, oidc.WORKSPACE_CLIENT, secret,
                         f"http://127.0.0.1:{oidc.WORKSPACE_PORT}/auth/callback")
    token = await asyncio.to_thread(sign_in, party, USER, identity_provider.demo_password())
    assert token.get("refresh_token")
    person = Person.from_claims(unverified_claims(token["access_token"]))
    assert person.agency_id == "uptd-ppa-62.13"
    assert person.works_in_agency

    client = oidc_client(WorkspaceSettings(database_url="postgresql+asyncpg://x@127.0.0.1/x",
                                           oidc_issuer=identity_provider.issuer, oidc_client_secret=secret))
    session: dict[str, Any] = {"person": person.as_claims(), "tokens": {
        "access_token": token["access_token"], "refresh_token": token["refresh_token"],
        "id_token": token.get("id_token"), "expires_at": datetime.now(UTC).timestamp() + 5}}
    renewed = await access_token(session, lambda rt: refresh(client, rt))
    assert renewed != token["access_token"]
    assert Person.from_claims(unverified_claims(renewed)).user_id == person.user_id
    assert session["tokens"]["expires_at"] > datetime.now(UTC).timestamp() + 60

    session["tokens"] = {**session["tokens"], "refresh_token": "not-a-refresh-token", "expires_at": 0}
    with pytest.raises(SignInRequiredError):
        await access_token(session, lambda rt: refresh(client, rt))
