"""Wires routing together; nothing is created at import time."""

from fastapi import FastAPI

from routing import SERVICE
from routing.adapters.tables import metadata
from routing.entrypoints import (
    api,
    follow_ups_api,
    referral_list_api,
    referrals_api,
    rule_preview_api,
    rules_api,
    supervision_api,
)
from routing.entrypoints.follow_up_timer import follow_up_timer_loop
from routing.entrypoints.subscribers import register_subscribers, sla_timer_loop
from routing.metrics import FOLLOW_UP_TIMERS, SLA_TIMERS, fallback_referrals, timer_checks
from routing.service_layer.referrals import Routing
from routing.settings import RoutingSettings
from shared.crypto import FieldCipher
from shared.metrics import sla_breaches
from shared.service import create_runtime, create_service_app


def create_app(settings: RoutingSettings | None = None) -> FastAPI:
    settings = settings or RoutingSettings()
    runtime = create_runtime(SERVICE, settings, metadata)
    breaches = sla_breaches(runtime.metrics)
    fallbacks = fallback_referrals(runtime.metrics)
    routing = Routing(
        sla=settings.sla_policy(),
        on_breach=lambda deadline: breaches.labels(deadline=deadline).inc(),
        on_fallback=lambda province, regency: fallbacks.labels(province=province, regency=regency).inc(),
    )
    register_subscribers(runtime, routing)
    checks = timer_checks(runtime.metrics)
    sla_timer_loop(runtime, routing, interval_seconds=settings.sla_check_interval_seconds,
                   on_checked=checks.labels(timer=SLA_TIMERS).inc)
    follow_up_timer_loop(runtime, routing, interval_seconds=settings.sla_check_interval_seconds,
                         on_checked=checks.labels(timer=FOLLOW_UP_TIMERS).inc)
    app = create_service_app(
        runtime,
        title="Sinergi routing",
        description="Refers each reported case to the right agency's queue, and keeps the agency directory.",
        routers=[api.router, referrals_api.router, referral_list_api.router, follow_ups_api.router, rules_api.router,
                 rule_preview_api.router, supervision_api.router],
    )
    app.state.routing = routing
    app.state.cipher = FieldCipher.from_settings(settings)  # follow-up notes
    return app
