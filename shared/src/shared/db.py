"""Database helpers: one async engine per service, confined to the service's own schema."""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData, event, text
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import registry
from sqlalchemy.util import await_only

from shared.settings import ServiceSettings


def service_registry(schema: str) -> registry:
    """A SQLModel registry whose tables all live in ``schema``; one per service, so services that define a
    table of the same name never clash, and each service's Alembic sees only its own tables."""
    return registry(metadata=MetaData(schema=schema))


def create_engine(settings: ServiceSettings, schema: str) -> AsyncEngine:
    """An asyncpg engine whose connections see only ``schema`` (its search_path) and name themselves."""
    engine = create_async_engine(
        settings.database_url.get_secret_value(),
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_pool_size,
        # A database error names the statement, never its values: they may be ids of people's cases.
        hide_parameters=True,
        connect_args={"server_settings": {"search_path": schema, "application_name": f"sinergi-{schema}"}},
    )
    event.listen(engine.sync_engine, "checkout", _ping_on_checkout)
    return engine


def _ping_on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """A pooled connection the server has closed (a restart, an idle timeout) is replaced before it is used.

    SQLAlchemy's ``pool_pre_ping`` does this for asyncpg in three round trips (begin, select, rollback) on every
    checkout, which was a fifth of a report's round trips in intake and about 15% of a busy consumer's time; a
    ``SELECT 1`` outside a transaction is one. Raising DisconnectionError makes the pool try a fresh
    connection (SQLAlchemy's pessimistic-disconnect recipe)."""
    try:
        await_only(dbapi_connection.driver_connection.execute("SELECT 1"))
    except Exception as error:  # any failure here means "do not use this connection"
        raise DisconnectionError("the pooled connection no longer answers") from error


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
