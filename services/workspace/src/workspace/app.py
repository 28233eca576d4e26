"""Wires the workspace together; nothing is created at import time."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware import Middleware

from shared.crypto import FieldCipher
from shared.service import create_runtime, create_service_app
from workspace import SERVICE
from workspace.adapters.live_events import read_referral_events
from workspace.adapters.oidc import oidc_client
from workspace.adapters.services import Services
from workspace.adapters.session_store import SessionStore
from workspace.adapters.tables import metadata
from workspace.domain.session import SessionLimits
from workspace.entrypoints import (
    admin_directory,
    admin_rules,
    auth,
    district,
    follow_ups,
    inbox,
    live,
    operator_pages,
    pages,
    referral_page,
)
from workspace.entrypoints.audit_pages import router as audit_router
from workspace.entrypoints.errors import register_error_pages
from workspace.entrypoints.export_pages import router as export_router
from workspace.entrypoints.rendering import Pages
from workspace.entrypoints.security import SecurityHeadersMiddleware
from workspace.entrypoints.session_middleware import ServerSessionMiddleware
from workspace.entrypoints.subscription_pages import router as subscription_router
from workspace.service_layer.live import LiveHub
from workspace.settings import WorkspaceSettings

STATIC = Path(__file__).parent / "entrypoints" / "static"
_PURGE_EVERY_SECONDS = 300


def create_app(settings: WorkspaceSettings | None = None) -> FastAPI:
    settings = settings or WorkspaceSettings()
    runtime = create_runtime(SERVICE, settings, metadata)
    limits = SessionLimits(idle=timedelta(minutes=settings.session_idle_minutes),
                           absolute=timedelta(hours=settings.session_max_hours))
    store = SessionStore(runtime.engine, FieldCipher.from_settings(settings))
    runtime.workers.append(lambda: _purge_sessions(store, limits))
    hub = LiveHub()
    runtime.workers.append(lambda: read_referral_events(
        settings.kafka_bootstrap_servers, f"sinergi-workspace-live-{uuid.uuid4().hex[:8]}", hub.publish,
        fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms))
    app = create_service_app(
        runtime, title="Sinergi workspace",
        description="The caseworker's web app: server-rendered pages that call the services as the signed-in person.",
        # follow_ups before referral_page, whose moves' route would take "follow-ups" for a move.
        routers=[auth.router, pages.router, live.router, inbox.router, follow_ups.router, referral_page.router,
                 audit_router, subscription_router, export_router, admin_directory.router, admin_rules.router,
                 operator_pages.router, district.router],
    )
    app.state.settings = settings
    app.state.session_store = store
    app.state.live_hub = hub
    app.state.oidc = oidc_client(settings)
    app.state.pages = Pages()
    app.state.services = Services(intake_url=settings.intake_url, routing_url=settings.routing_url,
                                  timeout=settings.service_timeout_seconds, reporting_url=settings.reporting_url,
                                  notifications_url=settings.notifications_url)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    register_error_pages(app)
    # Inside the shared limits (which stay outermost): sessions, then the headers on every answer.
    app.user_middleware.append(Middleware(SecurityHeadersMiddleware, issuer=settings.oidc_issuer))
    app.user_middleware.append(Middleware(ServerSessionMiddleware, store=store, limits=limits,
                                          secure=settings.cookie_secure))
    return app


async def _purge_sessions(store: SessionStore, limits: SessionLimits) -> None:
    """Sessions past their idle timeout lose their tokens, not only are refused, so no token outlives it in the
    table; what is left (whose it was, for a draft of a form posted late) is deleted after the longest session."""
    while True:
        now = datetime.now(UTC)
        with contextlib.suppress(Exception):
            await store.delete_unused_since(now - limits.idle - limits.absolute)
            await store.retire_unused_since(now - limits.idle)
        await asyncio.sleep(_PURGE_EVERY_SECONDS)
