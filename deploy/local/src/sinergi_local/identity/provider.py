"""The local OpenID Connect provider (``deploy/oidc``, Node and ``oidc-provider``) as a process of the local
platform, started, waited for and stopped like PostgreSQL and the broker: its log and pid under the run folder,
its state (signing key, cookie keys, sessions and grants, the user store, the client secrets) in
``<run_dir>/oidc``, generated once and kept across restarts."""

from __future__ import annotations

import json
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from sinergi_local import infrastructure, processes
from sinergi_local.identity import demo_users
from sinergi_local.identity.sign_in import RelyingParty

NAME = "oidc"
OIDC_DIR = Path(__file__).resolve().parents[5] / "deploy" / "oidc"
# The resource indicator of the Sinergi API (RFC 8707 wants an absolute URI); its tokens carry the audience.
RESOURCE = "urn:sinergi:api"
DEFAULT_AUDIENCE = "sinergi"  # shared.settings.AuthSettings.auth_audience
ACCESS_TOKEN_TTL = 15 * 60
WORKSPACE_CLIENT = "sinergi-workspace"
WORKSPACE_PORT = 8005
# sinergi-local's own client: the demo seeding and `sinergi token sign-in` sign demo users in with it. Its
# redirect URI is never listened on: the code is read from the redirect itself.
LOCAL_CLIENT = "sinergi-local"
LOCAL_REDIRECT_URI = "http://127.0.0.1/sinergi-local/callback"


@dataclass(frozen=True)
class OidcProvider:
    run_dir: Path
    port: int
    audience: str = DEFAULT_AUDIENCE
    # Where the workspace listens, for its client's redirect URIs (tests run it on a free port).
    workspace_port: int = WORKSPACE_PORT

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/jwks"

    @property
    def state_dir(self) -> Path:
        return self.run_dir / NAME

    def client_secret_file(self, client_id: str) -> Path:
        """Where a registered client's secret is (0600), for the settings of the app that uses it."""
        return self.state_dir / "clients" / f"{client_id}.secret"

    def client_secret(self, client_id: str) -> str:
        return self.client_secret_file(client_id).read_text().strip()

    def local_party(self) -> RelyingParty:
        """sinergi-local's own client, which signs demo users in for the seeding and `sinergi token sign-in`."""
        return RelyingParty(self.issuer, LOCAL_CLIENT, self.client_secret(LOCAL_CLIENT), LOCAL_REDIRECT_URI)

    def demo_password(self) -> str:
        """Every demo user's password: generated once per run folder (its secrets.json, ``demo_password``)."""
        return infrastructure.save_secret(self.run_dir, "demo_password")

    def auth_env(self, prefix: str) -> dict[str, str]:
        """A service's settings for verifying this provider's tokens."""
        return {f"{prefix}_AUTH_JWKS_URL": self.jwks_url, f"{prefix}_AUTH_ISSUER": self.issuer,
                f"{prefix}_AUTH_AUDIENCE": self.audience}


def _client_secret(provider: OidcProvider, client_id: str) -> str:
    path = provider.client_secret_file(client_id)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return provider.client_secret(client_id)


def _clients(provider: OidcProvider) -> list[dict[str, object]]:
    port = provider.workspace_port
    workspace_origins = (f"http://127.0.0.1:{port}", f"http://localhost:{port}")
    confidential = {"grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
                    "token_endpoint_auth_method": "client_secret_basic"}
    return [
        {**confidential, "client_id": WORKSPACE_CLIENT, "client_name": "Sinergi workspace",
         "client_secret": _client_secret(provider, WORKSPACE_CLIENT),
         "redirect_uris": [f"{origin}/auth/callback" for origin in workspace_origins],
         "post_logout_redirect_uris": [f"{origin}/" for origin in workspace_origins]},
        {**confidential, "client_id": LOCAL_CLIENT, "client_name": "sinergi-local",
         "client_secret": _client_secret(provider, LOCAL_CLIENT), "redirect_uris": [LOCAL_REDIRECT_URI]},
    ]


def write_config(provider: OidcProvider) -> Path:
    state = provider.state_dir
    state.mkdir(parents=True, exist_ok=True, mode=0o700)
    users = demo_users.users_file(state / "users.json", provider.demo_password())
    config = {
        "issuer": provider.issuer, "host": "127.0.0.1", "port": provider.port, "audience": provider.audience,
        "resource": RESOURCE, "access_token_ttl": ACCESS_TOKEN_TTL, "users_file": str(users),
        "state_dir": str(state), "clients": _clients(provider),
    }
    path = state / "config.json"
    path.write_text(json.dumps(config, indent=1))
    path.chmod(0o600)
    return path


def node() -> str:
    found = shutil.which("node")
    if found is None:
        raise RuntimeError("Node.js is missing: the local identity provider needs `node` (apt-get install nodejs)")
    return found


def start(
    run_dir: Path, port: int, *, audience: str = DEFAULT_AUDIENCE, timeout: float = 30,
    workspace_port: int = WORKSPACE_PORT,
) -> OidcProvider:
    """Start the provider (if it is not running) and wait until it serves its discovery document."""
    if not (OIDC_DIR / "node_modules" / "oidc-provider").exists():
        raise RuntimeError("deploy/oidc/node_modules is missing: run `make install` (npm ci)")
    run_dir = run_dir.resolve()  # the process runs in deploy/oidc: every path it is given is absolute
    provider = OidcProvider(run_dir, port, audience, workspace_port)
    if processes.read_pid(run_dir / "pids" / f"{NAME}.pid") is None:
        processes.ensure_port_free(port, "the identity provider")
    config = write_config(provider)
    pid = processes.start(NAME, [node(), str(OIDC_DIR / "src" / "server.js"), str(config)], run_dir=run_dir,
                          cwd=OIDC_DIR)
    wait_ready(provider, pid, timeout)
    return provider


def wait_ready(provider: OidcProvider, pid: int, timeout: float) -> None:
    log = provider.run_dir / "logs" / f"{NAME}.log"
    processes.wait_for_port(provider.port, timeout=timeout, name="the identity provider", pid=pid, log=log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            discovery = httpx.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=5)
            if discovery.status_code == 200 and discovery.json().get("issuer") == provider.issuer:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    raise RuntimeError(f"the identity provider did not serve its discovery document within {timeout}s\n{tail}")


def running(run_dir: Path) -> OidcProvider:
    """The provider `make up` started under ``run_dir``, attached to without starting anything."""
    run_dir = run_dir.resolve()
    config = run_dir / NAME / "config.json"
    if processes.read_pid(run_dir / "pids" / f"{NAME}.pid") is None or not config.exists():
        raise RuntimeError(f"the identity provider is not running under {run_dir} (start it with `make up`)")
    settings = json.loads(config.read_text())
    return OidcProvider(run_dir, int(settings["port"]), str(settings["audience"]))


def stop(run_dir: Path) -> None:
    processes.stop(NAME, run_dir=run_dir)
