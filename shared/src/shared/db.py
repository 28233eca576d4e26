"""Database helpers: one async engine per service, confined to the service's own schema."""

from __future__ import annotations

from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import registry

from shared.settings import ServiceSettings


def service_registry(schema: str) -> registry:
    """A SQLModel registry whose tables all live in ``schema``; one per service, so services that define a
    table of the same name never clash, and each service's Alembic sees only its own tables."""
    return registry(metadata=MetaData(schema=schema))


def create_engine(settings: ServiceSettings, schema: str) -> AsyncEngine:
    """An asyncpg engine whose connections see only ``schema`` (its search_path) and name themselves."""
    return create_async_engine(
        settings.database_url.get_secret_value(),
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_pool_size,
        pool_pre_ping=True,
        # A database error names the statement, never its values: they may be ids of people's cases.
        hide_parameters=True,
        connect_args={"server_settings": {"search_path": schema, "application_name": f"sinergi-{schema}"}},
    )


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
