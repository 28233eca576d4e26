"""Fixtures of reporting's integration tests, built on ``support``: the app in process (consumers and all) and a
producer that publishes as the services' outbox relays do. One of each for the whole package: the app's consumer
groups take seconds to join on Tansu, and each module keeps to its own regions and years, so they share it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from reporting.settings import ReportingSettings
from services.reporting.tests.integration.support import lag, reporting_client, started_producer
from tests.polling import eventually


@pytest.fixture(scope="package")
async def reporting(
    make_settings: Callable[..., ReportingSettings], bearer: Callable[..., dict[str, str]]
) -> AsyncIterator[httpx.AsyncClient]:
    async for client in reporting_client(make_settings(ReportingSettings, "reporting"), bearer):
        async def caught_up(settings: ReportingSettings = client.app.state.runtime.settings) -> bool:  # type: ignore[attr-defined]
            return await lag(settings) == 0

        # The worker's earlier tests (other services' apps) published on these topics while no reporting app ran:
        # the modules here start once the app has read that backlog, bounded for a stuck group, not a speed check.
        await eventually(caught_up, "reporting to read what the worker's earlier tests published", within=300)
        yield client


@pytest.fixture(scope="package")
async def producer(reporting: httpx.AsyncClient) -> AsyncIterator[AIOKafkaProducer]:
    """Started once the app (and so its consumers) is running; stopped at the end of the package."""
    kafka = await started_producer(reporting.app.state.runtime.settings.kafka_bootstrap_servers)  # type: ignore[attr-defined]
    try:
        yield kafka
    finally:
        await kafka.stop()
