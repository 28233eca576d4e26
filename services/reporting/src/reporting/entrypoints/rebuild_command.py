"""``python -m reporting rebuild``: what ``sinergi reporting rebuild`` runs (``service_layer.rebuild``)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from tqdm import tqdm

from reporting.adapters.replay import TopicReader
from reporting.entrypoints.maintenance import service_unit_of_work
from reporting.service_layer.rebuild import RebuildReport, rebuild_read_models
from shared.cli import ServiceCommand
from shared.contracts import ALL_TOPICS
from shared.settings import ServiceSettings


async def rebuild(settings: ServiceSettings, *, progress: bool) -> RebuildReport:
    async with (
        service_unit_of_work(settings) as uow,
        TopicReader(settings.kafka_bootstrap_servers, ALL_TOPICS) as reader,
    ):
        with tqdm(total=reader.total, unit="event", desc="replaying", disable=not progress, file=sys.stderr) as bar:

            def advance(records: int) -> None:
                # On Tansu the ends the total counts to can fall short of the last batches (``TopicReader``).
                bar.total = max(bar.total or 0, bar.n + records)
                bar.update(records)

            return await rebuild_read_models(reader.batches(), uow, on_batch=advance)


def _run(settings: ServiceSettings, args: argparse.Namespace) -> int:
    report = asyncio.run(rebuild(settings, progress=not args.no_progress))
    sys.stdout.write(
        f"rebuilt the read models from {report.read} events of {len(ALL_TOPICS)} topics: {report.applied} applied,"
        f" {report.unreadable} unreadable (in the dead-letter topics)\n"
    )
    return 0


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-progress", action="store_true", help="no progress bar (for logs)")


REBUILD = ServiceCommand(
    name="rebuild",
    help="empty the read models and replay every topic from the start (the audit trails are kept)",
    run=_run,
    add_arguments=_arguments,
)
