"""Reporting's migrations build exactly the tables its code declares (no create_all anywhere)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from reporting.adapters.tables import metadata
from reporting.settings import ReportingSettings

pytestmark = pytest.mark.integration


def _only_reporting(name: str | None, type_: str, parent_names: dict[str, str | None]) -> bool:
    if type_ == "schema":
        return name == metadata.schema
    return not (type_ == "table" and name == "alembic_version")


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(
        connection, opts={"include_schemas": True, "include_name": _only_reporting, "compare_type": True}
    )
    return list(compare_metadata(context, metadata))


async def test_migrated_schema_matches_the_tables(make_settings: Callable[..., ReportingSettings]) -> None:
    settings = make_settings(ReportingSettings, "reporting")
    assert settings.migrations_database_url is not None
    # The default search_path, so that reporting's tables are reflected under their schema's name.
    engine = create_async_engine(settings.migrations_database_url.get_secret_value())
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(_differences)
    finally:
        await engine.dispose()
    assert differences == []
