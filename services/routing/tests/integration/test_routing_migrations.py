"""The migrations build exactly the tables the code declares (no create_all anywhere, so they must agree)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from routing.adapters.tables import metadata
from routing.settings import RoutingSettings

pytestmark = pytest.mark.integration


def _describe(difference: Any) -> str:
    """One line per difference: alembic gives a tuple per change, or a list of tuples per column."""
    changes = difference if isinstance(difference, list) else [difference]
    return "; ".join(" ".join(str(part) for part in change[:4] if not isinstance(part, dict)) for change in changes)


def _differences(connection: Connection) -> list[str]:
    context = MigrationContext.configure(connection, opts={
        "include_schemas": True,
        "include_name": lambda name, kind, _parent: kind != "schema" or name == "routing",
        "version_table_schema": "routing",
        "compare_server_default": False,
    })
    return [_describe(difference) for difference in compare_metadata(context, metadata)]


async def test_migrations_match_the_tables(make_settings: Callable[..., RoutingSettings]) -> None:
    settings = make_settings(RoutingSettings, "routing")
    engine = create_async_engine(settings.database_url.get_secret_value())
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(_differences)
    finally:
        await engine.dispose()
    assert differences == [], "\n".join(differences)
