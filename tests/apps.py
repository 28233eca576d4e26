"""The four services' apps in process, from the session's settings (``make_settings``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
