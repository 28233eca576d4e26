"""deploy/keycloak/sinergi-realm.json, the realm docker-compose.yml imports into Keycloak, checked against the code:
the workspace's client (confidential, code flow with PKCE, its redirect and logout URIs, refresh tokens), the
audience the services check, mappers for every claim ``shared.auth`` reads, and one demo user per role. Each demo
user is passed through the realm's mappers as Keycloak would and read by ``shared.auth._principal``: the result
must be the principal of the local demo user of the same name. No Keycloak is needed (nor can run here)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from shared.auth import Role, _principal
from shared.settings import AuthSettings
from sinergi_local.identity import provider as oidc
from sinergi_local.identity.demo_users import seed_users

REALM_FILE = Path(__file__).resolve().parents[1] / "deploy" / "keycloak" / "sinergi-realm.json"
API_CLIENT, WORKSPACE = "sinergi", oidc.WORKSPACE_CLIENT
CLAIMS = ("sinergi_agency", "sinergi_agency_type", "sinergi_province", "sinergi_regency")
# Keycloak fills ${NAME:default} from its environment at import.
PLACEHOLDER = re.compile(r"^\$\{[A-Z_]+:[^}]+\}$")


@pytest.fixture(scope="module")
def realm() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(REALM_FILE.read_text())
    return loaded


def client(realm: dict[str, Any], client_id: str) -> dict[str, Any]:
    (found,) = [c for c in realm["clients"] if c["clientId"] == client_id]
    return found


def token_claims(realm: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    """The access-token claims the workspace client's mappers give ``user`` (besides iss, exp...)."""
    # Keycloak's sub is the user's id (a UUID); the user name stands in for it here.
    claims: dict[str, Any] = {"sub": user["username"]}
    for mapper in client(realm, WORKSPACE)["protocolMappers"]:
        config = mapper["config"]
        if config.get("access.token.claim") != "true":
            continue
        kind = mapper["protocolMapper"]
        if kind == "oidc-audience-mapper":
            claims["aud"] = config["included.custom.audience"]
        elif kind == "oidc-usermodel-client-role-mapper":
            roles = user.get("clientRoles", {}).get(config["usermodel.clientRoleMapping.clientId"], [])
            claims[config["claim.name"]] = roles if config.get("multivalued") == "true" else roles[0]
        elif kind == "oidc-usermodel-attribute-mapper":
            values = user.get("attributes", {}).get(config["user.attribute"])
            if values:
                claims[config["claim.name"]] = values if config.get("multivalued") == "true" else values[0]
        else:
            pytest.fail(f"a mapper this test does not know: {kind}")
    return claims


def test_the_realm_is_sinergi_signing_with_rs256(realm: dict[str, Any]) -> None:
    assert realm["realm"] == "sinergi"
    assert realm["enabled"] is True
    assert realm["defaultSignatureAlgorithm"] == "RS256"
    assert realm["registrationAllowed"] is False
    assert realm["bruteForceProtected"] is True
    assert {"id", "en"} <= set(realm["supportedLocales"])


def test_the_workspace_is_a_confidential_client_with_pkce(realm: dict[str, Any]) -> None:
    workspace = client(realm, WORKSPACE)
    assert workspace["publicClient"] is False
    assert workspace["clientAuthenticatorType"] == "client-secret"
    assert PLACEHOLDER.match(workspace["secret"]), "the secret comes from Keycloak's environment"
    assert workspace["standardFlowEnabled"] is True
    assert workspace["implicitFlowEnabled"] is False
    assert workspace["directAccessGrantsEnabled"] is False
    attributes = workspace["attributes"]
    assert attributes["pkce.code.challenge.method"] == "S256"
    assert attributes["use.refresh.tokens"] == "true"
    assert set(workspace["redirectUris"]) == {"http://127.0.0.1:8005/auth/callback",
                                              "http://localhost:8005/auth/callback"}
    assert set(attributes["post.logout.redirect.uris"].split("##")) == {"http://127.0.0.1:8005/",
                                                                        "http://localhost:8005/"}


def test_the_audience_is_the_one_the_services_check(realm: dict[str, Any]) -> None:
    audiences = [m["config"]["included.custom.audience"] for m in client(realm, WORKSPACE)["protocolMappers"]
                 if m["protocolMapper"] == "oidc-audience-mapper"]
    assert audiences == [AuthSettings().auth_audience]
    assert client(realm, API_CLIENT)["standardFlowEnabled"] is False, "the API's client signs nobody in"


def test_mappers_put_every_claim_the_services_read_into_the_access_token(realm: dict[str, Any]) -> None:
    names = {m["config"].get("claim.name") for m in client(realm, WORKSPACE)["protocolMappers"]
             if m["config"].get("access.token.claim") == "true"}
    assert {"sinergi_roles", *CLAIMS} <= names
    declared = {role["name"] for role in realm["roles"]["client"][API_CLIENT]}
    assert declared == {role.value for role in Role} - {Role.PUBLIC.value}


def test_one_demo_user_per_role_read_as_the_services_read_them(realm: dict[str, Any]) -> None:
    users = realm["users"]
    roles = [role for user in users for role in user["clientRoles"][API_CLIENT]]
    assert sorted(roles) == sorted(role.value for role in Role if role is not Role.PUBLIC), "one user per role"
    local = seed_users()
    for user in users:
        claims = token_claims(realm, user)
        assert claims["aud"] == AuthSettings().auth_audience
        assert _principal(claims) == local[user["username"]].principal(), user["username"]
        (credential,) = user["credentials"]
        assert credential["type"] == "password"
        assert PLACEHOLDER.match(credential["value"]), "no password is written in the export"
        assert credential["temporary"] is False


def test_the_user_profile_declares_the_attributes_the_mappers_read(realm: dict[str, Any]) -> None:
    (profile_component,) = realm["components"]["org.keycloak.userprofile.UserProfileProvider"]
    profile = json.loads(profile_component["config"]["kc.user.profile.config"][0])
    declared = {attribute["name"]: attribute for attribute in profile["attributes"]}
    for mapper in client(realm, WORKSPACE)["protocolMappers"]:
        attribute = mapper["config"].get("user.attribute")
        if attribute:
            assert attribute in declared, f"Keycloak drops undeclared attribute {attribute} at import"
            assert declared[attribute]["permissions"]["edit"] == ["admin"], "people cannot change their own agency"
