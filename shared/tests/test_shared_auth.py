import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from pydantic import ValidationError

from shared.auth import AuthenticationError, Principal, Role, TokenVerifier, issue_development_token
from shared.settings import DEVELOPMENT_TOKEN_SECRET, AuthSettings

SECRET_CLAIMS = {"sub": "petugas-rahasia-17", "sinergi_agency": "uptd-ppa-kotawaringin"}


def dev_settings(**overrides: Any) -> AuthSettings:
    values: dict[str, Any] = {
        "environment": "development",
        "auth_jwks_url": None,
        "auth_hs256_secret": None,
        "auth_issuer": "sinergi",
        "auth_audience": "sinergi",
    }
    return AuthSettings(**(values | overrides))


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": "sinergi",
        "aud": "sinergi",
        "iat": now,
        "exp": now + 600,
        "sinergi_roles": ["agency_staff"],
        **SECRET_CLAIMS,
    }
    return {k: v for k, v in (base | overrides).items() if v is not None}


def hs256(payload: dict[str, Any], secret: str = DEVELOPMENT_TOKEN_SECRET) -> str:
    return jwt.encode(payload, secret, algorithm="HS256")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def rejected(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(AuthenticationError) as error:
        verifier.verify(token)
    message = str(error.value)
    for value in SECRET_CLAIMS.values():
        assert value not in message
    assert token not in message
    return error.value.reason


def test_development_token_round_trips_to_a_principal() -> None:
    settings = dev_settings()
    token = issue_development_token(
        settings,
        user_id="u-1",
        roles=[Role.AGENCY_STAFF, "agency_supervisor"],
        agency_id="agency-9",
        agency_type="uptd_ppa",
        province_code="62",
        regency_code="62.13",
    )
    principal = TokenVerifier(settings).verify(token)
    assert principal == Principal(
        user_id="u-1",
        roles=frozenset({Role.AGENCY_STAFF, Role.AGENCY_SUPERVISOR}),
        agency_id="agency-9",
        agency_type="uptd_ppa",
        province_code="62",
        regency_code="62.13",
    )
    assert principal.has_role(Role.AGENCY_SUPERVISOR)
    assert principal.has_role(Role.AUDITOR, Role.AGENCY_STAFF)
    assert not principal.has_role(Role.PROVINCE_ADMIN)


def test_optional_claims_may_be_absent() -> None:
    settings = dev_settings()
    principal = TokenVerifier(settings).verify(issue_development_token(settings, user_id="u", roles=["public"]))
    assert principal.agency_id is None
    assert principal.regency_code is None
    assert principal.roles == frozenset({Role.PUBLIC})


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"exp": int(time.time()) - 3600}, "token expired"),
        ({"aud": "another-system"}, "wrong audience"),
        ({"iss": "another-issuer"}, "wrong issuer"),
        ({"sinergi_roles": ["agency_staff", "superuser"]}, "unknown role"),
        ({"sinergi_roles": []}, "malformed claim sinergi_roles"),
        ({"sinergi_roles": "agency_staff"}, "malformed claim sinergi_roles"),
        ({"exp": None}, "missing claim exp"),
        ({"aud": None}, "missing claim aud"),
        ({"iss": None}, "missing claim iss"),
        ({"iat": None}, "missing claim iat"),
        ({"sinergi_agency": 12}, "malformed claim sinergi_agency"),
    ],
)
def test_invalid_tokens_are_rejected_without_echoing_claims(changes: dict[str, Any], reason: str) -> None:
    # The claims are made when the test runs, not when it is collected: a long suite outlives their expiry.
    assert rejected(TokenVerifier(dev_settings()), hs256(claims(**changes))) == reason


def test_a_tampered_signature_is_rejected() -> None:
    token = hs256(claims())
    head, body, signature = token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert rejected(TokenVerifier(dev_settings()), f"{head}.{body}.{flipped}") == "bad signature"
    assert rejected(TokenVerifier(dev_settings()), hs256(claims(), secret="x" * 40)) == "bad signature"


def test_a_tampered_payload_is_rejected() -> None:
    head, _, signature = hs256(claims()).split(".")
    forged = b64url(json.dumps(claims(sinergi_roles=["province_admin"])).encode())
    assert rejected(TokenVerifier(dev_settings()), f"{head}.{forged}.{signature}") == "bad signature"


def test_alg_none_is_rejected() -> None:
    unsigned = jwt.encode(claims(), None, algorithm="none")
    assert rejected(TokenVerifier(dev_settings()), unsigned) == "algorithm not allowed"
    head = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    assert rejected(TokenVerifier(dev_settings()), f"{head}.{b64url(json.dumps(claims()).encode())}.") == (
        "algorithm not allowed"
    )


def test_garbage_is_rejected() -> None:
    assert rejected(TokenVerifier(dev_settings()), "not-a-token") == "malformed token"


def test_hs256_is_refused_outside_development() -> None:
    for environment in ("production", "test"):
        with pytest.raises(ValidationError, match="auth_jwks_url is required"):
            AuthSettings(environment=environment, auth_jwks_url=None, auth_hs256_secret=None)
        with pytest.raises(ValidationError, match="HS256 is refused"):
            AuthSettings(environment=environment, auth_jwks_url="https://idp.example/jwks", auth_hs256_secret="s" * 40)
        with pytest.raises(ValidationError, match="HS256 is refused"):
            AuthSettings(
                environment=environment,
                auth_jwks_url="https://idp.example/jwks",
                auth_hs256_secret=DEVELOPMENT_TOKEN_SECRET,
            )
    with pytest.raises(ValidationError, match="https"):
        AuthSettings(environment="production", auth_jwks_url="http://idp.example/jwks", auth_hs256_secret=None)
    production = AuthSettings(
        environment="production", auth_jwks_url="https://idp.example/jwks", auth_hs256_secret=None
    )
    with pytest.raises(ValueError, match="only in development"):
        issue_development_token(production, user_id="u", roles=[Role.OPERATOR])


def test_development_settings_defaults_and_limits() -> None:
    settings = dev_settings()
    assert settings.auth_hs256_secret is not None
    assert settings.auth_hs256_secret.get_secret_value() == DEVELOPMENT_TOKEN_SECRET
    with pytest.raises(ValidationError, match="at least"):
        dev_settings(auth_hs256_secret="short")
    with pytest.raises(ValidationError, match="not both"):
        dev_settings(auth_jwks_url="http://127.0.0.1:1/jwks", auth_hs256_secret="s" * 40)
    with pytest.raises(ValueError, match="not a valid Role"):
        issue_development_token(settings, user_id="u", roles=["superuser"])


# RS256/ES256 via a JWKS document served on 127.0.0.1.

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())


def jwks_document() -> bytes:
    rsa_jwk = RSAAlgorithm.to_jwk(RSA_KEY.public_key(), as_dict=True) | {"kid": "rsa-1", "alg": "RS256", "use": "sig"}
    ec_jwk = ECAlgorithm.to_jwk(EC_KEY.public_key(), as_dict=True) | {"kid": "ec-1", "alg": "ES256", "use": "sig"}
    return json.dumps({"keys": [rsa_jwk, ec_jwk]}).encode()


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[str]:
    document = jwks_document()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(document)))
            self.end_headers()
            self.wfile.write(document)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/realms/kalteng/protocol/openid-connect/certs"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def jwks_verifier(jwks_url: str) -> TokenVerifier:
    return TokenVerifier(dev_settings(auth_jwks_url=jwks_url))


def test_rs256_token_verifies_through_the_jwks_url(jwks_verifier: TokenVerifier) -> None:
    token = jwt.encode(claims(), RSA_KEY, algorithm="RS256", headers={"kid": "rsa-1"})
    principal = jwks_verifier.verify(token)
    assert principal.user_id == SECRET_CLAIMS["sub"]
    assert principal.roles == frozenset({Role.AGENCY_STAFF})


def test_es256_token_verifies_through_the_jwks_url(jwks_verifier: TokenVerifier) -> None:
    token = jwt.encode(claims(), EC_KEY, algorithm="ES256", headers={"kid": "ec-1"})
    assert jwks_verifier.verify(token).agency_id == SECRET_CLAIMS["sinergi_agency"]


async def test_verify_async_runs_the_jwks_lookup_off_the_loop(jwks_verifier: TokenVerifier) -> None:
    token = jwt.encode(claims(), RSA_KEY, algorithm="RS256", headers={"kid": "rsa-1"})
    assert (await jwks_verifier.verify_async(token)).user_id == SECRET_CLAIMS["sub"]
    with pytest.raises(AuthenticationError):
        await jwks_verifier.verify_async(hs256(claims()))


def test_rs256_token_signed_by_another_key_is_rejected(jwks_verifier: TokenVerifier) -> None:
    forged = jwt.encode(claims(), OTHER_RSA_KEY, algorithm="RS256", headers={"kid": "rsa-1"})
    assert rejected(jwks_verifier, forged) == "bad signature"
    unknown_kid = jwt.encode(claims(), OTHER_RSA_KEY, algorithm="RS256", headers={"kid": "attacker"})
    assert rejected(jwks_verifier, unknown_kid) == "unknown signing key"
    no_kid = jwt.encode(claims(), RSA_KEY, algorithm="RS256")
    assert rejected(jwks_verifier, no_kid) == "missing key id"


def test_a_key_is_used_only_with_its_own_algorithm(jwks_verifier: TokenVerifier) -> None:
    mismatched = jwt.encode(claims(), EC_KEY, algorithm="ES256", headers={"kid": "rsa-1"})
    assert rejected(jwks_verifier, mismatched) == "invalid token"


def test_hs256_is_rejected_in_jwks_mode(jwks_verifier: TokenVerifier) -> None:
    assert rejected(jwks_verifier, hs256(claims())) == "algorithm not allowed"
    # The classic confusion attack: HMAC keyed with the published RSA public key.
    public_pem = RSA_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    head = b64url(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}).encode())
    body = b64url(json.dumps(claims(sinergi_roles=["province_admin"])).encode())
    signature = b64url(hmac.new(public_pem, f"{head}.{body}".encode(), hashlib.sha256).digest())
    assert rejected(jwks_verifier, f"{head}.{body}.{signature}") == "algorithm not allowed"


def test_rs256_with_expired_or_wrong_audience_is_rejected(jwks_verifier: TokenVerifier) -> None:
    expired = jwt.encode(claims(exp=int(time.time()) - 3600), RSA_KEY, algorithm="RS256", headers={"kid": "rsa-1"})
    assert rejected(jwks_verifier, expired) == "token expired"
    other_aud = jwt.encode(claims(aud="other"), RSA_KEY, algorithm="RS256", headers={"kid": "rsa-1"})
    assert rejected(jwks_verifier, other_aud) == "wrong audience"


# The `sinergi token issue` command.


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SINERGI_")}
    return subprocess.run(
        [sys.executable, "-m", "sinergi_local.cli", "token", "issue", *args],
        capture_output=True,
        text=True,
        env=clean | env,
        timeout=60,
        check=False,
    )


def test_cli_issues_a_token_that_verifies() -> None:
    result = run_cli(
        "--user",
        "u-7",
        "--role",
        "agency_staff",
        "--role",
        "agency_supervisor",
        "--agency",
        "A",
        "--agency-type",
        "uptd_ppa",
        "--province",
        "62",
        "--regency",
        "62.13",
        "--ttl",
        "120",
    )
    assert result.returncode == 0, result.stderr
    principal = TokenVerifier(dev_settings()).verify(result.stdout.strip())
    assert principal == Principal(
        user_id="u-7",
        roles=frozenset({Role.AGENCY_STAFF, Role.AGENCY_SUPERVISOR}),
        agency_id="A",
        agency_type="uptd_ppa",
        province_code="62",
        regency_code="62.13",
    )
    assert jwt.decode(result.stdout.strip(), options={"verify_signature": False})["exp"] <= int(time.time()) + 121


def test_cli_refuses_outside_development_without_echoing_the_secret() -> None:
    secret = "a-production-secret-that-must-not-leak-0123456789"
    result = run_cli(
        "--user", "u", "--role", "operator", SINERGI_ENVIRONMENT="production", SINERGI_AUTH_HS256_SECRET=secret
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "HS256 is refused" in result.stderr
    assert secret not in result.stderr


def test_cli_rejects_an_unknown_role() -> None:
    result = run_cli("--user", "u", "--role", "superuser")
    assert result.returncode == 2
    assert result.stdout == ""


def test_only_the_people_of_an_agency_work_for_it() -> None:
    staff = Principal("s", frozenset({Role.AGENCY_STAFF}), agency_id="uptd-ppa-62.13")
    supervisor = Principal("v", frozenset({Role.AGENCY_SUPERVISOR}), agency_id="uptd-ppa-62.13")
    operator_with_agency_claim = Principal("o", frozenset({Role.OPERATOR}), agency_id="uptd-ppa-62.13")
    assert staff.works_for("uptd-ppa-62.13")
    assert supervisor.works_for("uptd-ppa-62.13")
    assert not staff.works_for("uptd-ppa-63.71")
    assert not operator_with_agency_claim.works_for("uptd-ppa-62.13")


def test_supervisors_cover_their_region_only() -> None:
    district = Principal("d", frozenset({Role.DISTRICT_SUPERVISOR}), province_code="62", regency_code="62.13")
    admin = Principal("a", frozenset({Role.PROVINCE_ADMIN}), province_code="62")
    staff = Principal("s", frozenset({Role.AGENCY_STAFF}), province_code="62", regency_code="62.13")
    assert district.supervises("62", "62.13")
    assert not district.supervises("62", "62.01")
    assert admin.supervises("62", "62.01")
    assert not admin.supervises("63", "63.71")
    assert not staff.supervises("62", "62.13")
