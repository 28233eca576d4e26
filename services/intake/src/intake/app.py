"""Wires intake together; nothing is created at import time."""

from fastapi import FastAPI

from intake import SERVICE
from intake.adapters.tables import metadata
from intake.entrypoints import api, case_changes, case_notes_api, messages, operator_api, public_form, reporter_status
from intake.entrypoints.subscribers import register_subscribers
from intake.settings import IntakeSettings
from shared.crypto import FieldCipher
from shared.limits import PublicRateLimiter
from shared.service import create_runtime, create_service_app


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    settings = settings or IntakeSettings()
    runtime = create_runtime(SERVICE, settings, metadata)
    register_subscribers(runtime)
    app = create_service_app(
        runtime,
        title="Sinergi intake",
        description="Reports of violence against women and children, from every channel.",
        routers=[operator_api.router, api.router, case_changes.router, case_notes_api.router, messages.router,
                 public_form.router, reporter_status.router],
    )
    app.state.cipher = FieldCipher.from_settings(settings)
    app.state.reporter_lookup_limiter = PublicRateLimiter(settings.reporter_lookup_rate_limit)
    app.state.linking_key = settings.linking_key.get_secret_value().encode()
    app.state.gateway_secrets = {
        name: secret.get_secret_value() for name, secret in settings.message_gateway_secrets.items()
    }
    return app
