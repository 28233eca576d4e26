"""Routing's in-process app for the integration tests (a module may define its own ``routing`` instead)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from routing.app import create_app
from routing.settings import RoutingSettings
from shared.auth import Role
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


@pytest.fixture(scope="module")
async def admin_routing_app(
    make_settings: Callable[..., RoutingSettings], bearer: Callable[..., dict[str, str]]
) -> AsyncIterator[httpx.AsyncClient]:
    """A module's app with a client signed in as the admin of Kalimantan Tengah (62), who edits the directory; a
    module makes it its ``routing_app``."""
    app = create_app(make_settings(RoutingSettings, "routing"))
    headers = bearer(Role.PROVINCE_ADMIN, user_id="admin-62", province_code="62")
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://routing", headers=headers
    ) as client:
        client.app = app  # type: ignore[attr-defined]
        yield client
