"""Each service owns its data: its own schema, an owner role that migrates, an app role with DML on that schema
only and nothing on any other schema."""

from __future__ import annotations

from collections.abc import Callable

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from intake.domain.access import FIELDS_BY_AGENCY_TYPE
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


# Tables that hold no case data: the messaging plumbing, migration bookkeeping, per-regency counters and the
# need-to-know table itself (a copy of intake.domain.access.FIELDS_BY_AGENCY_TYPE).
WITHOUT_CASE_DATA = {"outbox", "inbox", "alembic_version", "case_number_counters", "field_visibility"}
COMMANDS = {"SELECT", "INSERT", "UPDATE", "DELETE"}


@pytest.mark.parametrize("service", SERVICES)
async def test_every_table_with_case_data_is_under_forced_row_level_security(
    service: str, service_env: Callable[[str], dict[str, str]]
) -> None:
    """A table added by later work without a policy fails here: the owner is not exempt (FORCE), and every
    command has its policy, so nothing falls back to "no policy, no check"."""
    connection = await asyncpg.connect(dsn(service_env(service), service, "MIGRATIONS_DATABASE_URL"))
    try:
        tables = await connection.fetch(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')",
            service,
        )
        policies = await connection.fetch("SELECT tablename, cmd FROM pg_policies WHERE schemaname = $1", service)
    finally:
        await connection.close()
    protected = {row["relname"]: row for row in tables if row["relname"] not in WITHOUT_CASE_DATA}
    assert protected, f"{service} keeps case data"
    commands = {name: {p["cmd"] for p in policies if p["tablename"] == name} for name in protected}
    unprotected = sorted(
        name for name, row in protected.items()
        if not (row["relrowsecurity"] and row["relforcerowsecurity"] and commands[name] >= COMMANDS)
    )
    assert unprotected == [], f"{service} tables without forced row-level security on every command"


async def test_the_database_knows_the_same_need_to_know_as_intake(
    service_env: Callable[[str], dict[str, str]]
) -> None:
    connection = await asyncpg.connect(dsn(service_env("intake"), "intake", "MIGRATIONS_DATABASE_URL"))
    try:
        rows = await connection.fetch("SELECT agency_type, field FROM intake.field_visibility")
    finally:
        await connection.close()
    in_database: dict[str, set[str]] = {}
    for row in rows:
        in_database.setdefault(row["agency_type"], set()).add(row["field"])
    assert in_database == {kind: {f.value for f in fields} for kind, fields in FIELDS_BY_AGENCY_TYPE.items()}
