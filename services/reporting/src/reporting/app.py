"""Wires reporting together; nothing is created at import time."""

from fastapi import FastAPI

from reporting import SERVICE
from reporting.adapters.tables import metadata
from reporting.entrypoints import audit_check_api, audit_trail_api
from reporting.entrypoints import dashboard as dashboard_page
from reporting.entrypoints import exports as exports_api
from reporting.entrypoints.api import router
from reporting.entrypoints.audit_trail_subscribers import register_audit_trail_subscriber
from reporting.entrypoints.subscribers import register_subscribers
from reporting.settings import ReportingSettings
from shared.service import create_runtime, create_service_app


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    settings = settings or ReportingSettings()
    runtime = create_runtime(SERVICE, settings, metadata)
    register_subscribers(runtime)  # before the lifespan starts the broker
    register_audit_trail_subscriber(runtime)
    return create_service_app(
        runtime,
        title="Sinergi reporting",
        description="Case statistics for regional action plans (RAD), counted the SIMFONI-PPA way.",
        routers=[router, audit_trail_api.router, audit_check_api.router, exports_api.router, dashboard_page.router],
    )
