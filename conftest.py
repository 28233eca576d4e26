"""Session fixtures for every test that needs the real Postgres and Kafka-protocol broker, and the test tiers.

Where a Docker engine answers, testcontainers starts apache/kafka and postgres images; otherwise the project's
own local processes start (Debian's PostgreSQL binaries and the Tansu broker, under .run/test-<pid>/).
KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL, when set, name existing servers and nothing is started. Under
pytest-xdist each worker is its own session, so each starts its own PostgreSQL and broker.

The tiers are given by what a test uses, never by hand (``tiers.classify``): ``integration`` (the
infrastructure fixtures, transitively), ``browser`` (a module that imports ``tests.browser``), ``alone`` (needs
the machine to itself: ``chaos``), ``unit`` (none of these). ``make unit`` runs ``-m unit`` with
SINERGI_TEST_TIER=unit, under which the infrastructure refuses to start (``tiers.forbid_infrastructure``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from shared.provision import provision_schema
from sinergi_local import infrastructure, processes
from sinergi_local.containers import docker_available, start_containers
from sinergi_local.identity import provider as oidc
from sinergi_local.infrastructure import Infrastructure
from sinergi_local.platform import development_bearer
from tests.broker import TEST_KAFKA_SETTINGS

REPO_ROOT = Path(__file__).parent

# The tiers' hooks: the marks given by what a test uses, the infrastructure refused in the unit run.
pytest_plugins = ("tests.tiers", "tests.scheduling")


@pytest.fixture(scope="session")
def test_run_dir() -> Path:
    run_dir = REPO_ROOT / ".run" / f"test-{os.getpid()}"
    run_dir.mkdir(parents=True, exist_ok=True)
    return run_dir


@pytest.fixture(scope="session")
def infra(test_run_dir: Path) -> Iterator[Infrastructure]:
    from tests.tiers import refuse_in_unit_run  # here, not at the top: pytest_plugins loads the module first

    refuse_in_unit_run("infra")
    if docker_available() and not (os.environ.get("DATABASE_URL") and os.environ.get("KAFKA_BOOTSTRAP_SERVERS")):
        with start_containers() as started:
            yield started
        return
    started = infrastructure.start(
        test_run_dir, postgres_port=processes.free_port(), kafka_port=processes.free_port()
    )
    try:
        yield started
    finally:
        if os.environ.get("SINERGI_KEEP_TEST_RUN") == "1":
            infrastructure.stop(test_run_dir)
        else:
            infrastructure.discard(test_run_dir)


@pytest.fixture(scope="session")
def identity_provider(test_run_dir: Path) -> Iterator[oidc.OidcProvider]:
    """The local OpenID Connect provider (deploy/oidc) as a real process on a free port, with the demo users,
    the ``sinergi-workspace`` and ``sinergi-local`` clients. Its run folder is beside the session's, not inside:
    ``infra`` deletes that one when it stops, which may come first, and the provider's pid file with it."""
    run_dir = test_run_dir.with_name(f"{test_run_dir.name}-identity")
    started = oidc.start(run_dir, processes.free_port())
    try:
        yield started
    finally:
        oidc.stop(run_dir)
        if os.environ.get("SINERGI_KEEP_TEST_RUN") != "1":
            shutil.rmtree(run_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def service_env(infra: Infrastructure, test_run_dir: Path) -> Callable[[str], dict[str, str]]:
    """``service_env("routing")`` provisions and migrates routing's schema once per session and returns the
    ROUTING_* settings a routing instance runs with (a unique consumer-group prefix per test session)."""
    ready: dict[str, dict[str, str]] = {}
    group_prefix = f"test-{uuid.uuid4().hex[:8]}"

    def env_for(service: str) -> dict[str, str]:
        if service not in ready:
            owner_pw = infrastructure.save_secret(test_run_dir, f"{service}_owner")
            app_pw = infrastructure.save_secret(test_run_dir, f"{service}_app")
            processes.run_coroutine(
                provision_schema(infra.admin_dsn, service, owner_password=owner_pw, app_password=app_pw)
            )
            prefix = service.upper()
            env = {
                f"{prefix}_ENVIRONMENT": "development",
                f"{prefix}_DATABASE_URL": infra.app_url(f"{service}_app", app_pw),
                f"{prefix}_MIGRATIONS_DATABASE_URL": infra.app_url(f"{service}_owner", owner_pw),
                f"{prefix}_KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
                f"{prefix}_KAFKA_ENABLE_IDEMPOTENCE": str(infra.kafka_enable_idempotence).lower(),
                **{f"{prefix}_{name}": value for name, value in TEST_KAFKA_SETTINGS.items()},
                f"{prefix}_KAFKA_CONSUMER_GROUP_PREFIX": group_prefix,
                f"{prefix}_OUTBOX_POLL_INTERVAL_MS": "100",
            }
            subprocess.run([sys.executable, "-m", service, "migrate"], env={**os.environ, **env}, check=True,
                           cwd=REPO_ROOT)
            ready[service] = env
        return dict(ready[service])

    return env_for


def settings_kwargs(env: dict[str, str], service: str) -> dict[str, str]:
    """Turn ``service_env`` output into keyword arguments for the service's settings class."""
    prefix = f"{service.upper()}_"
    return {key.removeprefix(prefix).lower(): value for key, value in env.items() if key.startswith(prefix)}


@pytest.fixture(scope="session")
def make_settings(service_env: Callable[[str], dict[str, str]]) -> Callable[..., object]:
    """``make_settings(RoutingSettings, "routing")``: a settings object for an in-process app."""

    def build(settings_class: type, service: str, **overrides: object) -> object:
        return settings_class(**{**settings_kwargs(service_env(service), service), **overrides})

    return build


@pytest.fixture(scope="session")
def bearer() -> Callable[..., dict[str, str]]:
    """``bearer(Role.PROVINCE_ADMIN, user_id="a", province_code="62")``: request headers with a development
    token that the in-process services (development settings) accept."""
    return development_bearer
