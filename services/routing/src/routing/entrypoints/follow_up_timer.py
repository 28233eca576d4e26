"""The worker that announces follow-ups falling due (``service_layer.follow_ups.announce_due_follow_ups``)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta

from routing.service_layer.follow_ups import TIMER_BATCH, announce_due_follow_ups
from routing.service_layer.referrals import Routing
from shared.access import SERVICE_CONTEXT
from shared.service import Runtime

log = logging.getLogger(__name__)


def follow_up_timer_loop(
    runtime: Runtime, routing: Routing, *, interval_seconds: float, on_checked: Callable[[], None]
) -> None:
    """Check due follow-ups every ``interval_seconds`` for the app's lifetime, and tell ``on_checked`` after each
    check that ran to the end."""
    period = timedelta(days=runtime.settings.referral_follow_up_days)

    async def run() -> None:
        while True:
            try:
                while await announce_due_follow_ups(runtime.unit_of_work(SERVICE_CONTEXT), routing,
                                                    follow_up_period=period) >= TIMER_BATCH:
                    pass  # a full batch may leave more due
                on_checked()
            except Exception:
                log.exception("checking follow-ups failed; retrying in %.1f s", interval_seconds)
            await asyncio.sleep(interval_seconds)

    runtime.workers.append(run)
