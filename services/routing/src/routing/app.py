"""Wires routing together; nothing is created at import time."""

from fastapi import FastAPI

from routing import SERVICE
from routing.adapters.tables import metadata
from routing.entrypoints.api import router
from routing.entrypoints.subscribers import register_subscribers
from routing.settings import RoutingSettings
from shared.service import create_runtime, create_service_app


def create_app(settings: RoutingSettings | None = None) -> FastAPI:
    settings = settings or RoutingSettings()
    runtime = create_runtime(SERVICE, settings, metadata)
    register_subscribers(runtime)
    return create_service_app(
        runtime,
        title="Sinergi routing",
        description="Refers each reported case to the right agency's queue, and keeps the agency directory.",
        routers=[router],
    )
