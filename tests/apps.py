"""The four services' apps in process, from the session's settings (``make_settings``)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
from fastapi import FastAPI

from intake.app import create_app as create_intake
from intake.settings import IntakeSettings
from notifications.app import create_app as create_notifications
from notifications.settings import NotificationsSettings
from reporting.app import create_app as create_reporting
from reporting.settings import ReportingSettings
from routing.app import create_app as create_routing
from routing.settings import RoutingSettings

SERVICES: dict[str, tuple[Callable[[Any], FastAPI], type]] = {
    "intake": (create_intake, IntakeSettings),
    "routing": (create_routing, RoutingSettings),
    "notifications": (create_notifications, NotificationsSettings),
    "reporting": (create_reporting, ReportingSettings),
}


def four_apps(
    make_settings: Callable[..., Any], *, only: dict[str, dict[str, Any]] | None = None, **every: Any
) -> dict[str, FastAPI]:
    """Each service's app with the settings ``every`` service gets, and those ``only`` it gets (by service)."""
    return {
        service: factory(make_settings(settings_class, service, **every, **(only or {}).get(service, {})))
        for service, (factory, settings_class) in SERVICES.items()
    }


@contextlib.asynccontextmanager
async def as_if_fresh(client: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """``client``, shared by a module's tests, handed to one test: what the test changes in the app's state (a
    clock it swaps in) or in the client's headers is put back afterwards. A module shares one app because each
    app's consumer groups take seconds to join on Tansu (issue 21)."""
    app: FastAPI = client.app  # type: ignore[attr-defined]
    state = dict(app.state._state)
    headers = httpx.Headers(client.headers)
    try:
        yield client
    finally:
        app.state._state.clear()
        app.state._state.update(state)
        client.headers = headers
