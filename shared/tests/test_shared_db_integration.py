"""The services' engines (shared.db) on the real PostgreSQL: a pooled connection the server has closed is
replaced before anything runs on it."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from shared.db import create_engine
from shared.settings import ServiceSettings
from sinergi_local.infrastructure import Infrastructure

pytestmark = pytest.mark.integration


class Settings(ServiceSettings):
    http_port: int = 0


async def test_a_connection_the_server_closed_is_replaced_before_use(infra: Infrastructure) -> None:
    url = make_url(infra.admin_dsn).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    engine = create_engine(Settings(database_url=url), "public")
    admin = await asyncpg.connect(infra.admin_dsn)
    try:
        async with engine.connect() as connection:
            backend = (await connection.exec_driver_sql("SELECT pg_backend_pid()")).scalar_one()
        # The server ends the pooled connection, as a restart or an idle timeout would.
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", backend)
        async with engine.connect() as connection:
            replaced = (await connection.exec_driver_sql("SELECT pg_backend_pid()")).scalar_one()
        assert replaced != backend
    finally:
        await admin.close()
        await engine.dispose()
