"""Routing's in-process app for the integration tests (a module may define its own ``routing`` instead)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from routing.app import create_app
from routing.settings import RoutingSettings
from tests.apps import as_if_fresh


@pytest.fixture(scope="module")
async def routing_app(make_settings: Callable[..., RoutingSettings]) -> AsyncIterator[httpx.AsyncClient]:
    """One app per module: its consumer groups take seconds to join on Tansu."""
    # The app's own timer loop must not fire with the real clock while a test drives its own.
    app = create_app(make_settings(RoutingSettings, "routing", sla_check_interval_seconds=3600))
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://r") as client:
        client.app = app  # type: ignore[attr-defined]
        yield client


@pytest.fixture
async def routing(routing_app: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    async with as_if_fresh(routing_app) as client:
        yield client
