"""The whole Sinergi platform on local processes: infrastructure, the four services, the demo webhook sink and
the local mail server (which stores every notification email in a Maildir)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from shared.auth import Role, issue_development_token
from shared.provision import provision_schema
from shared.settings import AuthSettings
from sinergi_local import infrastructure, paths, processes
from sinergi_local.identity import demo_users
from sinergi_local.identity import provider as oidc
from sinergi_local.identity.sign_in import sign_in
from sinergi_local.infrastructure import Infrastructure

SERVICES = ("intake", "routing", "notifications", "reporting")
# The caseworker's web app: provisioned, migrated and run like a service, but it calls the services' HTTP APIs
# as the signed-in person and is kept apart from the lists of services that produce and consume events.
WEB_APPS = ("workspace",)
DEFAULT_PORTS = {"intake": 8001, "routing": 8002, "notifications": 8003, "reporting": 8004, "workspace": 8005,
                 "oidc": 8006, "sink": 8009, "mail": 8025}
# What runs beside the services: the demo webhook sink, the mail server and (with ``identity``) the OpenID
# Connect provider.
HELPERS = ("sink", "mail", "oidc")
# Sign a demo user in again this long before their access token expires.
_TOKEN_MARGIN_SECONDS = 60
REPO_ROOT = paths.REPO_ROOT


def development_bearer(*roles: Role, user_id: str, **claims: str | None) -> dict[str, str]:
    """Request headers with a development token, e.g. ``development_bearer(Role.PROVINCE_ADMIN, user_id="a",
    province_code="62")``. Services in development (the local platform, the tests) accept HS256 tokens signed
    with the development secret; ``sinergi token issue`` mints the same."""
    token = issue_development_token(
        AuthSettings(environment="development"), user_id=user_id, roles=roles,
        agency_id=claims.get("agency_id"), agency_type=claims.get("agency_type"),
        province_code=claims.get("province_code"), regency_code=claims.get("regency_code"),
    )
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Platform:
    run_dir: Path
    infra: Infrastructure
    ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    extra_env: dict[str, str] = field(default_factory=dict)
    # The local OpenID Connect provider, when the services verify its tokens (`make up`); otherwise they take
    # development tokens (HS256).
    identity: oidc.OidcProvider | None = None
    _tokens: dict[str, tuple[str, float]] = field(default_factory=dict, repr=False)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def bearer(self, *roles: Role, user_id: str, **claims: str | None) -> dict[str, str]:
        """A development token for any principal; a platform with an identity provider takes none."""
        if self.identity is not None:
            raise RuntimeError("the services verify the identity provider's tokens: use demo_bearer(username)")
        return development_bearer(*roles, user_id=user_id, **claims)

    def demo_bearer(self, username: str) -> dict[str, str]:
        """Request headers with a token of the demo user ``username`` (``identity.demo_users``): signed in at the
        identity provider with their password when there is one, else a development token with their claims."""
        if self.identity is None:
            user = demo_users.seed_users()[username]
            principal = user.principal()
            return development_bearer(*principal.roles, user_id=user.username, agency_id=user.agency_id,
                                      agency_type=user.agency_type, province_code=user.province_code,
                                      regency_code=user.regency_code)
        token, expires_at = self._tokens.get(username, ("", 0.0))
        if expires_at - _TOKEN_MARGIN_SECONDS < time.time():
            answer = sign_in(self.identity.local_party(), username, self.identity.demo_password())
            token, expires_at = answer["access_token"], float(answer["expires_at"])
            self._tokens[username] = (token, expires_at)
        return {"Authorization": f"Bearer {token}"}

    def password(self, role: str) -> str:
        return infrastructure.save_secret(self.run_dir, role)

    def service_env(self, service: str) -> dict[str, str]:
        """The environment a service runs with: its settings, under its env prefix."""
        prefix = service.upper()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("INTAKE_", "ROUTING_", "NOTIFICATIONS_",
                                                                           "REPORTING_", "WORKSPACE_"))}
        env.update({
            f"{prefix}_HTTP_PORT": str(self.ports[service]),
            f"{prefix}_DATABASE_URL": self.infra.app_url(f"{service}_app", self.password(f"{service}_app")),
            f"{prefix}_MIGRATIONS_DATABASE_URL": self.infra.app_url(f"{service}_owner",
                                                                    self.password(f"{service}_owner")),
            f"{prefix}_KAFKA_BOOTSTRAP_SERVERS": self.infra.kafka_bootstrap_servers,
            f"{prefix}_KAFKA_ENABLE_IDEMPOTENCE": str(self.infra.kafka_enable_idempotence).lower(),
            f"{prefix}_KAFKA_SESSION_TIMEOUT_MS": "6000",
            # Every local client (the demo seeding, curl, the tests) is 127.0.0.1: one client as far as the
            # per-client limit on public endpoints can tell.
            f"{prefix}_HTTP_PUBLIC_RATE_LIMIT": "1000/minute",
        })
        if self.identity is not None:
            env.update(self.identity.auth_env(prefix))
        if service == "notifications" and "mail" in self.ports:
            # Email notifications go to the local mail server (a platform given no mail port has no email).
            env.update({"NOTIFICATIONS_SMTP_HOST": "127.0.0.1", "NOTIFICATIONS_SMTP_PORT": str(self.ports["mail"])})
        if service == "workspace":
            env.update(self.workspace_env())
        env.update(self.extra_env)
        return env

    def workspace_env(self) -> dict[str, str]:
        """Where the workspace finds the services it calls, the OIDC provider, and itself."""
        wanted = {"PUBLIC_URL": "workspace", "INTAKE_URL": "intake", "ROUTING_URL": "routing",
                  "REPORTING_URL": "reporting"}
        env = {f"WORKSPACE_{name}": self.url(port) for name, port in wanted.items() if port in self.ports}
        if self.identity is not None:
            env["WORKSPACE_OIDC_ISSUER"] = self.identity.issuer
            env["WORKSPACE_OIDC_CLIENT_SECRET"] = self.identity.client_secret(oidc.WORKSPACE_CLIENT)
        return env

    def apps(self) -> tuple[str, ...]:
        """The services and web apps this platform runs: those given a port (chaos and the benchmarks run the
        four event services without the workspace)."""
        return tuple(name for name in (*SERVICES, *WEB_APPS) if name in self.ports)

    def provision(self) -> None:
        for service in self.apps():
            processes.run_coroutine(provision_schema(
                self.infra.admin_dsn, service,
                owner_password=self.password(f"{service}_owner"), app_password=self.password(f"{service}_app"),
            ))

    def migrate(self) -> None:
        """Each service's migrations, side by side (each owns its schema); their logs (JSON lines, for machines) go
        to ``logs/<service>-migrate.log`` under the run folder, not to `make up`'s terminal, and a failure names
        that log and shows its end."""
        logs = self.run_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        running: dict[str, subprocess.Popen[bytes]] = {}
        for service in self.apps():
            with (logs / f"{service}-migrate.log").open("ab") as out:
                running[service] = subprocess.Popen([sys.executable, "-m", service, "migrate"],
                                                    env=self.service_env(service), stdout=out,
                                                    stderr=subprocess.STDOUT, cwd=REPO_ROOT)
        failed = {service: process.wait() for service, process in running.items()}
        for service, returncode in failed.items():
            if returncode != 0:
                raise RuntimeError(f"{service} migrate failed (exit {returncode}), see "
                                   f"{logs / f'{service}-migrate.log'}:\n{self.log_tail(f'{service}-migrate')}")

    def start_service(self, service: str) -> int:
        if processes.read_pid(self.run_dir / "pids" / f"{service}.pid") is None:
            processes.ensure_port_free(self.ports[service], service)
        return processes.start(service, [sys.executable, "-m", service, "serve"], run_dir=self.run_dir,
                               env=self.service_env(service), cwd=REPO_ROOT)

    def start_services(self, services: tuple[str, ...] = SERVICES) -> None:
        for service in services:
            self.start_service(service)
        for service in services:
            self.wait_ready(service)

    def wait_ready(self, service: str, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if processes.read_pid(self.run_dir / "pids" / f"{service}.pid") is None:
                raise RuntimeError(f"{service} exited:\n{self.log_tail(service)}")
            try:
                response = httpx.get(f"{self.url(service)}/ready", timeout=5)
                if response.status_code == 200:
                    return
                last = response.text
            except httpx.HTTPError as error:
                last = type(error).__name__
            time.sleep(0.3)
        raise RuntimeError(f"{service} not ready after {timeout}s ({last}):\n{self.log_tail(service)}")

    def log_tail(self, name: str, size: int = 3000) -> str:
        log = self.run_dir / "logs" / f"{name}.log"
        return log.read_text(errors="replace")[-size:] if log.exists() else "(no log)"

    def stop_service(self, service: str) -> None:
        processes.stop(service, run_dir=self.run_dir)

    def kill_service(self, service: str) -> None:
        processes.kill(service, run_dir=self.run_dir)

    def start_sink(self) -> None:
        if processes.read_pid(self.run_dir / "pids" / "sink.pid") is None:
            processes.ensure_port_free(self.ports["sink"], "webhook sink")
        pid = processes.start(
            "sink",
            [sys.executable, "-m", "sinergi_local.webhook_sink", "--port", str(self.ports["sink"]),
             "--run-dir", str(self.run_dir)],
            run_dir=self.run_dir, cwd=REPO_ROOT,
        )
        processes.wait_for_port(self.ports["sink"], timeout=30, name="webhook sink", pid=pid,
                                log=self.run_dir / "logs" / "sink.log")

    @property
    def maildir(self) -> Path:
        """Where the local mail server stores every email it takes (a Maildir: new/, cur/, tmp/)."""
        return self.run_dir / "mail"

    def start_mail(self) -> None:
        if processes.read_pid(self.run_dir / "pids" / "mail.pid") is None:
            processes.ensure_port_free(self.ports["mail"], "mail server")
        pid = processes.start(
            "mail",
            [sys.executable, "-m", "sinergi_local.mail_server", "--port", str(self.ports["mail"]),
             "--maildir", str(self.maildir)],
            run_dir=self.run_dir, cwd=REPO_ROOT,
        )
        processes.wait_for_port(self.ports["mail"], timeout=30, name="mail server", pid=pid,
                                log=self.run_dir / "logs" / "mail.log")

    def stop(self) -> None:
        for name in (*WEB_APPS, *SERVICES, *HELPERS):
            processes.stop(name, run_dir=self.run_dir)


def start_platform(
    run_dir: Path,
    *,
    ports: Mapping[str, int] | None = None,
    postgres_port: int = 55432,
    kafka_port: int = 19092,
    extra_env: Mapping[str, str] | None = None,
    services: tuple[str, ...] = (*SERVICES, *WEB_APPS),
    broker_storage: str = "memory://tansu/",
    broker_env: Mapping[str, str] | None = None,
    kafka_bootstrap: str | None = None,
    identity: bool = False,
) -> Platform:
    """``identity`` starts the OpenID Connect provider first (on ``ports["oidc"]``), and the services verify its
    tokens (JWKS, issuer, audience) instead of development tokens."""
    infra = infrastructure.start(run_dir, postgres_port=postgres_port, kafka_port=kafka_port,
                                 broker_storage=broker_storage, broker_env=broker_env, kafka_bootstrap=kafka_bootstrap)
    platform = Platform(run_dir, infra, dict(ports or DEFAULT_PORTS), dict(extra_env or {}))
    if identity:
        platform.identity = oidc.start(run_dir, platform.ports["oidc"])
    platform.provision()
    platform.migrate()
    platform.start_sink()
    platform.start_mail()
    platform.start_services(tuple(name for name in services if name in platform.apps()))
    return platform


def stop_platform(run_dir: Path) -> None:
    for name in (*WEB_APPS, *SERVICES, *HELPERS):
        processes.stop(name, run_dir=run_dir)
    infrastructure.stop(run_dir)
