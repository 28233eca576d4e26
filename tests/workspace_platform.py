"""The whole platform for the workspace's browser tests: the OIDC provider, the four services verifying its
tokens (JWKS, issuer, audience) and the workspace, as real processes on a database and a broker of their own on
the session's servers. Not on the session's: a worker's in-process apps use those, and a service process beside
them would relay their outbox rows and build their read models a second time (as ``tests.conftest.platform``)."""

from __future__ import annotations

import dataclasses
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from sinergi_local import infrastructure, processes, tansu
from sinergi_local.identity import provider as oidc
from sinergi_local.infrastructure import Infrastructure
from sinergi_local.platform import SERVICES, WEB_APPS, Platform
from tests.broker import TEST_KAFKA_SETTINGS
from tests.databases import on_database, scratch_database


def signed_platform(
    infra: Infrastructure, service_env: Callable[[str], dict[str, str]], test_run_dir: Path
) -> Iterator[Platform]:
    for service in (*SERVICES, *WEB_APPS):
        service_env(service)  # provisioned and migrated, its roles' passwords in the session's run folder
    run_dir = test_run_dir / "workspace-e2e"
    run_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(infrastructure.secrets_file(test_run_dir), infrastructure.secrets_file(run_dir))
    ports = {name: processes.free_port() for name in (*SERVICES, *WEB_APPS, "oidc")}
    prefix = f"ws-{uuid.uuid4().hex[:6]}"
    with scratch_database(infra.admin_dsn, "sinergi_signed") as database:
        broker_dir = run_dir / "broker"
        own = dataclasses.replace(infra, admin_dsn=on_database(infra.admin_dsn, database),
                                  kafka_bootstrap_servers=tansu.start(broker_dir, processes.free_port()))
        provider = oidc.start(run_dir, ports["oidc"], workspace_port=ports["workspace"])
        platform = Platform(run_dir, own, ports, identity=provider, extra_env={
            **{f"{s.upper()}_OUTBOX_POLL_INTERVAL_MS": "100" for s in (*SERVICES, *WEB_APPS)},
            **{f"{s.upper()}_KAFKA_CONSUMER_GROUP_PREFIX": prefix for s in (*SERVICES, *WEB_APPS)},
            **{f"{s.upper()}_{name}": value for s in (*SERVICES, *WEB_APPS)
               for name, value in TEST_KAFKA_SETTINGS.items()},
        })
        try:
            platform.provision()
            platform.migrate()
            platform.start_services((*SERVICES, *WEB_APPS))
            yield platform
        finally:
            platform.stop()
            oidc.stop(run_dir)
            tansu.stop(broker_dir)
