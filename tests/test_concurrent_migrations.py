"""Several instances of a service start at once (a Deployment's pods each run ``migrate`` first): on an empty
schema, every one of them succeeds and the schema ends at head once. As processes, on a database of the test's
own; every service migrates through ``shared.migrations``, so two services stand for all (intake's and
reporting's migrations are the longest)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sinergi_local import processes
from sinergi_local.infrastructure import Infrastructure
from tests.databases import execute, on_database, provision, scratch_database

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).parents[1]
INSTANCES = 3


@pytest.fixture
def database(infra: Infrastructure) -> Iterator[str]:
    with scratch_database(infra.admin_dsn, "sinergi_migrate") as name:
        yield name


@pytest.mark.parametrize("service", ["intake", "reporting"])
def test_instances_migrating_at_once_all_succeed(
    service: str, database: str, infra: Infrastructure, service_env: Callable[[str], dict[str, str]],
    test_run_dir: Path,
) -> None:
    provision(infra.admin_dsn, database, service, test_run_dir)
    env = service_env(service)
    prefix = service.upper()
    env |= {f"{prefix}_DATABASE_URL": on_database(env[f"{prefix}_DATABASE_URL"], database),
            f"{prefix}_MIGRATIONS_DATABASE_URL": on_database(env[f"{prefix}_MIGRATIONS_DATABASE_URL"], database)}
    migrating = [subprocess.Popen([sys.executable, "-m", service, "migrate"], env=env, cwd=REPO_ROOT,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                 for _ in range(INSTANCES)]
    outputs = [instance.communicate(timeout=120)[0] for instance in migrating]
    assert [instance.returncode for instance in migrating] == [0] * INSTANCES, "\n".join(outputs)
    versions = processes.run_coroutine(execute(
        on_database(infra.admin_dsn, database), f"SELECT version_num FROM {service}.alembic_version"))
    assert len(versions) == 1
