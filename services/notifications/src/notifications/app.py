"""Wires notifications together; nothing is created at import time."""

from fastapi import FastAPI

from notifications import SERVICE
from notifications.adapters.tables import metadata
from notifications.entrypoints.api import router
from notifications.entrypoints.subscribers import register_subscribers
from notifications.entrypoints.worker import DeliveryWorker
from notifications.settings import NotificationsSettings
from shared.crypto import FieldCipher
from shared.service import create_runtime, create_service_app


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    settings = settings or NotificationsSettings()
    runtime = create_runtime(SERVICE, settings, metadata)
    cipher = FieldCipher.from_settings(settings)
    worker = DeliveryWorker(runtime, settings, cipher)
    register_subscribers(runtime, cipher, case_link=settings.case_link_template, on_queued=worker.wake)
    runtime.workers.append(worker.run)
    app = create_service_app(
        runtime,
        title="Sinergi notifications",
        description="Agencies subscribe to the case events that concern them and are told by signed webhook, "
        "email, SMS or WhatsApp, with only what their part of the work needs.",
        routers=[router],
    )
    app.state.cipher = cipher
    app.state.channels = worker.senders.channels
    return app
