"""Each service owns its data: its own schema, an owner role that migrates, an app role with DML on that schema
only and nothing on any other schema."""

from __future__ import annotations

from collections.abc import Callable

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from sinergi_local.platform import SERVICES

pytestmark = pytest.mark.integration


def dsn(env: dict[str, str], service: str, key: str) -> str:
    url = make_url(env[f"{service.upper()}_{key}"]).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


@pytest.mark.parametrize("service", SERVICES)
async def test_the_app_role_reaches_its_own_schema_only(
    service: str, service_env: Callable[[str], dict[str, str]]
) -> None:
    envs = {name: service_env(name) for name in SERVICES}
    connection = await asyncpg.connect(dsn(envs[service], service, "DATABASE_URL"))
    try:
        assert await connection.fetchval(f"SELECT count(*) FROM {service}.outbox") >= 0
        assert await connection.fetchval(f"SELECT version_num FROM {service}.alembic_version")
        for other in SERVICES:
            if other == service:
                continue
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await connection.fetch(f"SELECT * FROM {other}.outbox LIMIT 1")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await connection.execute(f"CREATE TABLE {service}.intruder (id int)")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await connection.execute(f"DROP TABLE {service}.outbox")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await connection.execute("CREATE TABLE public.intruder (id int)")
    finally:
        await connection.close()


@pytest.mark.parametrize("service", SERVICES)
async def test_the_owner_role_owns_every_table_of_its_schema(
    service: str, service_env: Callable[[str], dict[str, str]]
) -> None:
    connection = await asyncpg.connect(dsn(service_env(service), service, "MIGRATIONS_DATABASE_URL"))
    try:
        owners = await connection.fetch("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = $1", service)
    finally:
        await connection.close()
    assert [row["tableowner"] for row in owners] == [f"{service}_owner"]
