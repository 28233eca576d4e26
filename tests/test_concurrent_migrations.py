"""Several instances of a service start at once (a Deployment's pods each run ``migrate`` first): on an empty
schema, every one of them succeeds and the schema ends at head once. As processes, on a database of the test's
own; every service migrates through ``shared.migrations``, so two services stand for all (intake's and
reporting's migrations are the longest)."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from shared.provision import provision_schema
from sinergi_local import infrastructure, processes
from sinergi_local.infrastructure import Infrastructure

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).parents[1]
INSTANCES = 3


async def _execute(dsn: str, statement: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(dsn)
    try:
        return list(await connection.fetch(statement))
    finally:
        await connection.close()


@pytest.fixture
def database(infra: Infrastructure) -> Iterator[str]:
    name = f"sinergi_migrate_{uuid.uuid4().hex[:8]}"
    processes.run_coroutine(_execute(infra.admin_dsn, f'CREATE DATABASE "{name}"'))
    try:
        yield name
    finally:
        processes.run_coroutine(_execute(infra.admin_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.mark.parametrize("service", ["intake", "reporting"])
def test_instances_migrating_at_once_all_succeed(
    service: str, database: str, infra: Infrastructure, service_env: Callable[[str], dict[str, str]],
    test_run_dir: Path,
) -> None:
    def moved(url: str) -> str:
        return make_url(url).set(database=database).render_as_string(hide_password=False)

    processes.run_coroutine(provision_schema(
        moved(infra.admin_dsn), service,
        owner_password=infrastructure.save_secret(test_run_dir, f"{service}_owner"),
        app_password=infrastructure.save_secret(test_run_dir, f"{service}_app"),
    ))
    env = service_env(service)
    prefix = service.upper()
    env |= {f"{prefix}_DATABASE_URL": moved(env[f"{prefix}_DATABASE_URL"]),
            f"{prefix}_MIGRATIONS_DATABASE_URL": moved(env[f"{prefix}_MIGRATIONS_DATABASE_URL"])}
    migrating = [subprocess.Popen([sys.executable, "-m", service, "migrate"], env=env, cwd=REPO_ROOT,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                 for _ in range(INSTANCES)]
    outputs = [instance.communicate(timeout=120)[0] for instance in migrating]
    assert [instance.returncode for instance in migrating] == [0] * INSTANCES, "\n".join(outputs)
    versions = processes.run_coroutine(_execute(
        moved(infra.admin_dsn), f"SELECT version_num FROM {service}.alembic_version"))
    assert len(versions) == 1
