"""Kafka consumers: referral events become queued webhook deliveries."""

from __future__ import annotations

from collections.abc import Callable

from notifications import SERVICE
from notifications.service_layer.handlers import queue_deliveries
from shared.access import SERVICE_CONTEXT
from shared.contracts import REFERRALS, Event, ReferralCreated, TopicSpec
from shared.messaging import subscribe
from shared.service import Runtime

# What notifications consumes; also its AsyncAPI document (entrypoints/asyncapi.py).
CONSUMES: dict[TopicSpec, tuple[type[Event], ...]] = {REFERRALS: (ReferralCreated,)}

# The inbox's name for this consumer: stable across environments and consumer-group prefixes.
REFERRALS_CONSUMER = "notifications.referrals"


def register_subscribers(runtime: Runtime, *, on_queued: Callable[[], None]) -> None:
    async def on_referral_event(event: Event) -> None:
        if await queue_deliveries(event, runtime.unit_of_work(SERVICE_CONTEXT), consumer=REFERRALS_CONSUMER):
            on_queued()

    subscribe(
        runtime.broker,
        runtime.settings,
        topic=REFERRALS,
        group_id=runtime.settings.consumer_group(SERVICE),
        events=CONSUMES[REFERRALS],
        handler=on_referral_event,
    )
