"""The read models as a whole: emptied for a rebuild, dumped to compare two builds."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.adapters.tables import READ_MODELS


async def empty_read_models(session: AsyncSession) -> None:
    """Lock the read models against the running consumers for the rest of the transaction, then empty them.

    EXCLUSIVE mode still lets the API read the old figures until the rebuild commits, and makes a consumer's
    write wait for it; the consumers never lock in another order, so nothing deadlocks. DELETE, not TRUNCATE:
    the service's role may delete its rows but not truncate its tables."""
    names = ", ".join(table.fullname for table in READ_MODELS)
    await session.execute(text(f"LOCK TABLE {names} IN EXCLUSIVE MODE"))
    for table in reversed(READ_MODELS):  # children before case_facts
        await session.execute(delete(table))


async def dump_read_models(session: AsyncSession) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every read model, sorted, by table name: two builds are the same if their dumps are."""
    dump: dict[str, list[tuple[Any, ...]]] = {}
    for table in READ_MODELS:
        rows = (await session.execute(select(table))).all()
        dump[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return dump
