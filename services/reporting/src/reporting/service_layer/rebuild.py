"""``sinergi reporting rebuild``: empty the read models and build them again from every topic, from the start.

It all happens in one transaction: the API keeps answering from the old figures until the new ones are
complete, and a crash half-way leaves the old ones. Events are applied exactly as the running consumers apply
them (``adapters.projections``, whose upserts give the same rows in any order and however often), so the
rebuild equals what incremental processing produced. The audit trails are not touched: they are records of
what happened, not views of it."""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable
from dataclasses import dataclass

from reporting.adapters import projections, read_models
from reporting.adapters.replay import Record
from shared.contracts import EventParseError, parse_event
from shared.unit_of_work import UnitOfWork


@dataclass
class RebuildReport:
    read: int = 0  # records read from the topics
    applied: int = 0  # events the read models are built from
    unreadable: int = 0  # records no event contract reads (the running consumers dead-lettered them)


async def rebuild_read_models(
    batches: AsyncIterable[list[Record]], uow: UnitOfWork, *, on_batch: Callable[[int], object] = lambda _n: None
) -> RebuildReport:
    """Replace the read models with what ``batches`` (every record of the topics) builds. ``uow`` must act as
    the service; ``on_batch`` is told how many records each batch held (for a progress bar)."""
    report = RebuildReport()
    async with uow:
        await read_models.empty_read_models(uow.session)
        async for batch in batches:
            for record in batch:
                report.read += 1
                try:
                    event = parse_event(record.value)
                except EventParseError:
                    report.unreadable += 1
                    continue
                if isinstance(event, projections.PROJECTED):
                    await projections.project(uow.session, event)
                    report.applied += 1
            on_batch(len(batch))
        await uow.commit()
    return report
