"""Alembic for every service: the version table lives inside the service's schema, and migrations run as the
schema's owner role. A service's ``migrations/env.py`` is one call to ``run_migrations(metadata)``."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, func, pool, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine


def alembic_config(migrations_dir: Path, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(migrations_dir: Path, url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(migrations_dir, url), revision)


def _run(connection: Connection, metadata: MetaData) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table_schema=metadata.schema,
        include_schemas=False,
    )
    with context.begin_transaction():
        # Several instances may start at once (a Deployment's pods each migrate first): the first migrates, the
        # others wait here and then find the schema at head, instead of failing on half-made tables.
        connection.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"sinergi-migrate-{metadata.schema}"))))
        context.run_migrations()


async def _run_online(metadata: MetaData) -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = create_async_engine(
        url, poolclass=pool.NullPool, connect_args={"server_settings": {"search_path": str(metadata.schema)}}
    )
    async with engine.connect() as connection:
        await connection.run_sync(_run, metadata)
    await engine.dispose()


def run_migrations(metadata: MetaData) -> None:
    """Body of a service's env.py."""
    if context.is_offline_mode():
        context.configure(
            url=context.config.get_main_option("sqlalchemy.url"),
            target_metadata=metadata,
            version_table_schema=metadata.schema,
            literal_binds=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    else:
        asyncio.run(_run_online(metadata))
