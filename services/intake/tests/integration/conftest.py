"""Intake's in-process app for the integration tests (a module may define its own ``intake`` instead)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from intake.app import create_app
from intake.settings import IntakeSettings
from tests.apps import as_if_fresh


@pytest.fixture(scope="module")
async def intake_app(make_settings: Callable[..., IntakeSettings]) -> AsyncIterator[httpx.AsyncClient]:
    """One app per module: its consumer groups take seconds to join on Tansu. The public rate limit is out of the
    way (and the reporter's lookup limit): the modules post many reports from one client."""
    app = create_app(make_settings(
        IntakeSettings, "intake", http_public_rate_limit="100000/minute", reporter_lookup_rate_limit="100000/minute"
    ))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


@pytest.fixture
async def intake(intake_app: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """The module's app as this test found it."""
    async with as_if_fresh(intake_app) as client:
        yield client
