"""Databases of a test's own on the session's PostgreSQL: made, provisioned for a service, dropped."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from shared.provision import provision_schema
from sinergi_local import infrastructure, processes


async def execute(dsn: str, statement: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(dsn)
    try:
        return list(await connection.fetch(statement))
    finally:
        await connection.close()


def on_database(url: str, database: str) -> str:
    """``url`` (any driver) pointed at ``database`` on the same server, as the same role."""
    return make_url(url).set(database=database).render_as_string(hide_password=False)


@contextmanager
def scratch_database(admin_dsn: str, prefix: str) -> Iterator[str]:
    """A new database's name, dropped (whoever is still connected) afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    processes.run_coroutine(execute(admin_dsn, f'CREATE DATABASE "{name}"'))
    try:
        yield name
    finally:
        processes.run_coroutine(execute(admin_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def provision(admin_dsn: str, database: str, service: str, test_run_dir: Path) -> None:
    """The service's schema in ``database``, for its roles with the session's passwords (``service_env``)."""
    processes.run_coroutine(provision_schema(
        on_database(admin_dsn, database), service,
        owner_password=infrastructure.save_secret(test_run_dir, f"{service}_owner"),
        app_password=infrastructure.save_secret(test_run_dir, f"{service}_app"),
    ))
