"""Routing's Kafka consumers and its SLA timer loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from routing import SERVICE
from routing.service_layer.case_lifecycle import close_case, reopen_case
from routing.service_layer.referrals import Routing, fire_due_timers, record_case_update, refer_case
from shared.access import SERVICE_CONTEXT
from shared.contracts import CASES, CaseClosed, CaseReopened, CaseReported, CaseUpdated, Event, TopicSpec
from shared.service import Runtime
from shared.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

# What routing consumes; also its AsyncAPI document (entrypoints/asyncapi.py).
CONSUMES: dict[TopicSpec, tuple[type[Event], ...]] = {
    CASES: (CaseReported, CaseUpdated, CaseClosed, CaseReopened),
}

CaseEvent = CaseReported | CaseUpdated | CaseClosed | CaseReopened


def register_subscribers(runtime: Runtime, routing: Routing) -> None:
    """Consume ``case.reported`` (refer), ``case.updated`` (keep the facts), ``case.closed`` (revoke the open
    referrals, stop their clocks) and ``case.reopened`` (refer again); called before the broker starts."""

    async def on_case_event(event: CaseEvent, uow: UnitOfWork) -> None:
        if isinstance(event, CaseReported):
            await refer_case(event, uow, routing)
        elif isinstance(event, CaseUpdated):
            await record_case_update(event, uow, routing)
        elif isinstance(event, CaseClosed):
            await close_case(event, uow, routing)
        else:
            await reopen_case(event, uow, routing)

    runtime.consume(CASES, CONSUMES[CASES], on_case_event, consumer=SERVICE)


def sla_timer_loop(
    runtime: Runtime, routing: Routing, *, interval_seconds: float, on_checked: Callable[[], None]
) -> None:
    """Check due SLA timers every ``interval_seconds`` for the app's lifetime (``fire_due_timers``), and tell
    ``on_checked`` after each check that ran to the end."""

    async def run() -> None:
        while True:
            try:
                while await fire_due_timers(runtime.unit_of_work(SERVICE_CONTEXT), routing):
                    pass  # a full batch may leave more due
                on_checked()
            except Exception:
                log.exception("checking SLA timers failed; retrying in %.1f s", interval_seconds)
            await asyncio.sleep(interval_seconds)

    runtime.workers.append(run)
