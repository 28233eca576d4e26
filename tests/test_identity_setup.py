"""The identity setup of the local platform: the demo users (from the demo directory, one per role for each demo
agency and region), their password store, the services' settings under `make up`, the tokens the demo seeding
uses, and ``sinergi token sign-in``."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import jwt
import pytest

from intake.settings import IntakeSettings
from routing.directory_data import demo_directory
from shared.auth import Role, TokenVerifier
from shared.settings import AuthSettings
from sinergi_local import cli
from sinergi_local.__main__ import EXAMPLE_USERS, print_sign_in
from sinergi_local.identity import demo_users
from sinergi_local.identity import provider as oidc
from sinergi_local.identity.sign_in import sign_in
from sinergi_local.infrastructure import Infrastructure
from sinergi_local.platform import SERVICES, Platform


def _platform(run_dir: Path, identity: oidc.OidcProvider | None) -> Platform:
    infra = Infrastructure("postgresql://postgres:unused@127.0.0.1:1/sinergi", "127.0.0.1:1", False, True, True)
    return Platform(run_dir, infra, identity=identity)


def test_the_seed_file_is_the_one_generated_from_the_demo_directory() -> None:
    committed = json.loads(demo_users.SEED_FILE.read_text())
    assert committed == json.loads(json.dumps(demo_users.seed_document())), (
        "deploy/oidc/demo-users.json is stale: run `python -m sinergi_local.identity.demo_users`"
    )


def test_one_user_per_role_for_each_demo_agency_and_region() -> None:
    users = demo_users.seed_users()
    assert len(users) == len(demo_users.load_seed()), "user names are unique"
    agencies = demo_directory()
    for agency in agencies:
        for role in (Role.AGENCY_STAFF, Role.AGENCY_SUPERVISOR):
            principal = users[f"{role.value}.{agency['agency_id']}"].principal()
            assert principal.roles == {role}
            assert principal.works_for(agency["agency_id"])
            assert principal.agency_type == agency["agency_type"]
            assert principal.province_code == agency.get("province_code")
            assert principal.regency_code == agency.get("regency_code")
    provinces = {a["province_code"] for a in agencies if a.get("province_code")}
    regencies = {a["regency_code"] for a in agencies if a.get("regency_code")}
    assert provinces
    assert regencies
    for regency in regencies:
        district = users[f"district_supervisor.{regency}"].principal()
        assert district.supervises(regency[:2], regency)
        assert users[f"operator.{regency}"].principal().regency_code == regency
    for province in provinces:
        assert users[f"province_admin.{province}"].principal().supervises(province, f"{province}.01")
        assert users[f"auditor.{province}"].principal().has_role(Role.AUDITOR)
        assert users[f"operator.{province}"].principal().province_code == province
    assert users["national_admin"].principal().roles == {Role.NATIONAL_ADMIN}
    held = {role for user in users.values() for role in user.principal().roles}
    assert held == set(Role) - {Role.PUBLIC}, "every role that signs in has demo users; the public never signs in"


def test_the_user_store_keeps_scrypt_hashes_never_the_password(tmp_path: Path) -> None:
    password = "correct horse battery staple"
    seed = tmp_path / "seed.json"  # three users: each hash costs tens of milliseconds
    document = demo_users.seed_document()
    seed.write_text(json.dumps({"users": document["users"][:3]}))
    path = demo_users.users_file(tmp_path / "users.json", password, seed)
    text = path.read_text()
    assert password not in text
    assert path.stat().st_mode & 0o777 == 0o600
    stored = json.loads(text)["users"]
    assert [user["username"] for user in stored] == [user["username"] for user in document["users"][:3]]
    salts = set()
    for user in stored[:3]:
        scheme, n, r, p, salt, digest = user["password_hash"].split("$")
        assert scheme == "scrypt"
        raw_salt = base64.urlsafe_b64decode(salt + "==")
        derived = hashlib.scrypt(password.encode(), salt=raw_salt, n=int(n), r=int(r), p=int(p),
                                 maxmem=256 * int(n) * int(r), dklen=32)
        assert base64.urlsafe_b64encode(derived).rstrip(b"=").decode() == digest
        salts.add(salt)
    assert len(salts) == 3, "every hash has its own salt"
    assert demo_users.verify_password(stored[0]["password_hash"], password)
    assert not demo_users.verify_password(stored[0]["password_hash"], "wrong")
    # Another password (a new run folder's) gives new hashes; the same one keeps the file as it is.
    demo_users.users_file(path, password, seed)
    assert path.read_text() == text
    demo_users.users_file(path, "another password", seed)
    assert demo_users.verify_password(json.loads(path.read_text())["users"][0]["password_hash"], "another password")


def test_under_make_up_the_services_verify_the_providers_tokens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = oidc.OidcProvider(tmp_path, 18006)
    platform = _platform(tmp_path, provider)
    for service in SERVICES:
        env = platform.service_env(service)
        prefix = service.upper()
        assert env[f"{prefix}_AUTH_JWKS_URL"] == "http://127.0.0.1:18006/jwks"
        assert env[f"{prefix}_AUTH_ISSUER"] == "http://127.0.0.1:18006"
        assert env[f"{prefix}_AUTH_AUDIENCE"] == "sinergi"
    for key, value in platform.service_env("intake").items():
        if key.startswith("INTAKE_"):
            monkeypatch.setenv(key, value)
    settings = IntakeSettings()  # type: ignore[call-arg]
    assert settings.auth_jwks_url == provider.jwks_url
    assert settings.auth_hs256_secret is None, "no development token is accepted"
    with pytest.raises(RuntimeError, match="demo_bearer"):
        platform.bearer(Role.OPERATOR, user_id="anyone")
    assert "INTAKE_AUTH_JWKS_URL" not in _platform(tmp_path, None).service_env("intake")


def test_the_demo_seeding_signs_demo_users_in(identity_provider: oidc.OidcProvider, tmp_path: Path) -> None:
    platform = _platform(tmp_path, identity_provider)
    headers = platform.demo_bearer("operator.62.13")
    token = headers["Authorization"].removeprefix("Bearer ")
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    settings = AuthSettings(auth_jwks_url=identity_provider.jwks_url, auth_issuer=identity_provider.issuer)
    assert TokenVerifier(settings).verify(token) == demo_users.seed_users()["operator.62.13"].principal()
    assert platform.demo_bearer("operator.62.13") == headers, "signed in once, while the token lasts"

    # Without a provider (the tests' platforms, in-process apps): a development token with the same claims.
    development = _platform(tmp_path, None).demo_bearer("operator.62.13")["Authorization"].removeprefix("Bearer ")
    assert TokenVerifier(AuthSettings()).verify(development) == demo_users.seed_users()["operator.62.13"].principal()


def test_sinergi_token_sign_in_prints_a_demo_users_access_token(
    identity_provider: oidc.OidcProvider, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = str(identity_provider.run_dir)
    assert cli.main(["token", "sign-in", "--user", "auditor.62", "--run-dir", run_dir]) == 0
    token = capsys.readouterr().out.strip()
    settings = AuthSettings(auth_jwks_url=identity_provider.jwks_url, auth_issuer=identity_provider.issuer)
    assert TokenVerifier(settings).verify(token) == demo_users.seed_users()["auditor.62"].principal()

    assert cli.main(["token", "sign-in", "--user", "nobody.62", "--run-dir", run_dir]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "did not let nobody.62 in" in captured.err


def test_the_provider_is_pinned_with_integrity_hashes() -> None:
    """`make install` runs `npm ci`, which installs exactly package-lock.json and checks each package's hash."""
    package = json.loads((oidc.OIDC_DIR / "package.json").read_text())
    assert package["dependencies"] == {"oidc-provider": "9.13.3"}, "an exact version, no range"
    lock = json.loads((oidc.OIDC_DIR / "package-lock.json").read_text())
    assert lock["lockfileVersion"] >= 2
    installed = {path: entry for path, entry in lock["packages"].items() if path}
    assert "node_modules/oidc-provider" in installed
    for path, entry in installed.items():
        assert entry["integrity"].startswith("sha512-"), path
        # npm leaves out the address of packages from the default registry.
        assert entry.get("resolved", "https://registry.npmjs.org/").startswith("https://registry.npmjs.org/"), path
    assert "node_modules/" in (oidc.OIDC_DIR.parents[1] / ".gitignore").read_text().split()


def test_make_up_prints_the_provider_and_the_demo_users_who_can_sign_in(
    identity_provider: oidc.OidcProvider, capsys: pytest.CaptureFixture[str]
) -> None:
    print_sign_in(identity_provider)
    out = capsys.readouterr().out
    assert identity_provider.issuer in out
    assert identity_provider.demo_password() in out
    assert str(identity_provider.client_secret_file(oidc.WORKSPACE_CLIENT)) in out
    assert "deploy/oidc/demo-users.json" in out
    shown = [line.strip() for line in out.splitlines() if line.strip() in EXAMPLE_USERS]
    assert shown == list(EXAMPLE_USERS)
    held = {role for name in shown for role in demo_users.seed_users()[name].principal().roles}
    assert held == set(Role) - {Role.PUBLIC}, "one example of each role"
    for name in EXAMPLE_USERS:  # each of them signs in with the password printed
        assert sign_in(identity_provider.local_party(), name, identity_provider.demo_password())["access_token"]
