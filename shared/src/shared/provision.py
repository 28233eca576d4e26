"""Provisioning a service's corner of Postgres: its schema and two roles.

``<schema>_owner`` owns the schema and runs migrations; ``<schema>_app`` is what the service runs as, with DML
on its own schema's tables and nothing on any other schema. Idempotent: safe to run at every start.
"""

from __future__ import annotations

import asyncpg

_ROLE = """
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
    CREATE ROLE {role} LOGIN;
  END IF;
END $$;
"""


async def provision_schema(admin_dsn: str, schema: str, *, owner_password: str, app_password: str) -> None:
    if not schema.isidentifier() or not schema.islower():
        raise ValueError(f"bad schema name {schema!r}")
    owner, app = f"{schema}_owner", f"{schema}_app"
    connection = await asyncpg.connect(admin_dsn)
    try:
        database = await connection.fetchval("SELECT current_database()")
        async with connection.transaction():
            await connection.execute("SELECT pg_advisory_xact_lock(hashtext('sinergi-provision'))")
            for role, password in ((owner, owner_password), (app, app_password)):
                await connection.execute(_ROLE.format(role=role))
                await connection.execute(f"ALTER ROLE {role} LOGIN PASSWORD {_literal(password)}")
            statements = [
                f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC',
                "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
                f'GRANT CONNECT ON DATABASE "{database}" TO {owner}, {app}',
                f"CREATE SCHEMA IF NOT EXISTS {schema} AUTHORIZATION {owner}",
                f"REVOKE ALL ON SCHEMA {schema} FROM PUBLIC",
                f"GRANT USAGE ON SCHEMA {schema} TO {app}",
                f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} "
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
                f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} "
                f"GRANT USAGE, SELECT ON SEQUENCES TO {app}",
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {app}",
                f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {app}",
            ]
            for statement in statements:
                await connection.execute(statement)
    finally:
        await connection.close()


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
