"""Kafka consumers: referral events become queued webhook deliveries."""

from __future__ import annotations

from collections.abc import Callable

from notifications import SERVICE
from notifications.service_layer.handlers import queue_deliveries
from shared.contracts import REFERRALS, Event, ReferralCreated, TopicSpec
from shared.service import Runtime
from shared.unit_of_work import UnitOfWork

# What notifications consumes; also its AsyncAPI document (entrypoints/asyncapi.py).
CONSUMES: dict[TopicSpec, tuple[type[Event], ...]] = {REFERRALS: (ReferralCreated,)}

# The inbox's name for this consumer: stable across environments and consumer-group prefixes.
REFERRALS_CONSUMER = "notifications.referrals"


def register_subscribers(runtime: Runtime, *, on_queued: Callable[[], None]) -> None:
    async def on_referral_event(event: ReferralCreated, uow: UnitOfWork) -> None:
        if await queue_deliveries(event, uow, consumer=REFERRALS_CONSUMER):
            on_queued()

    runtime.consume(REFERRALS, CONSUMES[REFERRALS], on_referral_event, consumer=SERVICE)
