"""``sinergi reporting rebuild``: empty the read models and build them again from every topic, from the start.

It all happens in one transaction: the API keeps answering from the old figures until the new ones are
complete, and a crash half-way leaves the old ones. Events are applied by the rules the running consumers apply
them by (``adapters.projections``, whose upserts give the same rows in any order and however often), a batch
of records at a time (``adapters.projection_batches``: a few statements per batch, not several per event), so
the rebuild equals what incremental processing produced. The audit trails are not touched: they are records of
what happened, not views of it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, Callable
from dataclasses import dataclass

from reporting.adapters import projections, read_models
from reporting.adapters.projection_batches import project_batch
from reporting.adapters.replay import Record
from shared.contracts import Event, EventParseError, event_class_of, parse_event_as
from shared.unit_of_work import UnitOfWork


@dataclass
class RebuildReport:
    read: int = 0  # records read from the topics
    applied: int = 0  # events the read models are built from
    # Records of no known event type, and events the read models are built from that break their contract (the
    # running consumers dead-lettered both). Events of other types are not validated: nothing here reads them.
    unreadable: int = 0


# Records read between two looks at the event loop: the statements of the batch before go on meanwhile.
_READ_SLICE = 500


async def rebuild_read_models(
    batches: AsyncIterable[list[Record]], uow: UnitOfWork, *, on_batch: Callable[[int], object] = lambda _n: None
) -> RebuildReport:
    """Replace the read models with what ``batches`` (every record of the topics) builds. ``uow`` must act as
    the service; ``on_batch`` is told how many records each batch held (for a progress bar).

    A batch's records are read (parsed and checked) while the statements of the batch before run in
    PostgreSQL: the two take about as long, and a machine has more than one core."""
    report = RebuildReport()
    async with uow:
        await read_models.empty_read_models(uow.session)
        applying: asyncio.Task[None] | None = None
        try:
            async for batch in batches:
                projected = await _read(batch, report)
                if applying is not None:
                    await applying
                applying = asyncio.create_task(project_batch(uow.session, projected))
                report.applied += len(projected)
                on_batch(len(batch))
            if applying is not None:
                await applying
        finally:
            if applying is not None and not applying.done():
                applying.cancel()
                await asyncio.gather(applying, return_exceptions=True)
        await uow.commit()
    return report


async def _read(batch: list[Record], report: RebuildReport) -> list[Event]:
    """The events of ``batch`` the read models are built from, counted in ``report``."""
    projected = []
    for number, record in enumerate(batch, start=1):
        report.read += 1
        try:
            event_class = event_class_of(record.value)
            if event_class in projections.PROJECTED:
                projected.append(parse_event_as(record.value, event_class))
        except EventParseError:
            report.unreadable += 1
        if number % _READ_SLICE == 0:
            await asyncio.sleep(0)
    return projected
