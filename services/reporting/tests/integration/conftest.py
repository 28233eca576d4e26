"""Fixtures of reporting's integration tests, built on ``support``: the app in process (consumers and all) and a
producer that publishes as the services' outbox relays do. One of each for the whole package: the app's consumer
groups take seconds to join on Tansu, and each module keeps to its own regions and years, so they share it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from reporting.settings import ReportingSettings
from services.reporting.tests.integration.support import reporting_client, started_producer


@pytest.fixture(scope="package")
async def reporting(
    make_settings: Callable[..., ReportingSettings], bearer: Callable[..., dict[str, str]]
) -> AsyncIterator[httpx.AsyncClient]:
    async for client in reporting_client(make_settings(ReportingSettings, "reporting"), bearer):
        yield client


@pytest.fixture(scope="package")
async def producer(reporting: httpx.AsyncClient) -> AsyncIterator[AIOKafkaProducer]:
    """Started once the app (and so its consumers) is running; stopped at the end of the package."""
    kafka = await started_producer(reporting.app.state.runtime.settings.kafka_bootstrap_servers)  # type: ignore[attr-defined]
    try:
        yield kafka
    finally:
        await kafka.stop()
