"""Wires reporting together; nothing is created at import time."""

from fastapi import FastAPI

from reporting import SERVICE
from reporting.adapters.tables import metadata
from reporting.entrypoints.api import router
from reporting.entrypoints.subscribers import register_subscribers
from reporting.settings import ReportingSettings
from shared.service import create_runtime, create_service_app


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    settings = settings or ReportingSettings()
    runtime = create_runtime(SERVICE, settings, metadata)
    register_subscribers(runtime)  # before the lifespan starts the broker
    return create_service_app(
        runtime,
        title="Sinergi reporting",
        description="Case statistics for regional action plans (RAD), counted the SIMFONI-PPA way.",
        routers=[router],
    )
