"""Intake's Kafka consumers."""

from __future__ import annotations

from intake import SERVICE
from intake.service_layer.handlers import record_referral
from shared.access import SERVICE_CONTEXT
from shared.contracts import REFERRALS, Event, ReferralCreated, TopicSpec
from shared.messaging import subscribe
from shared.service import Runtime

# What intake consumes; also its AsyncAPI document (entrypoints/asyncapi.py).
CONSUMES: dict[TopicSpec, tuple[type[Event], ...]] = {REFERRALS: (ReferralCreated,)}


def register_subscribers(runtime: Runtime) -> None:
    """Consume ``referral.created``: the referred agency may read the case. Called before the broker starts."""

    async def on_referral_created(event: ReferralCreated) -> None:
        await record_referral(event, runtime.unit_of_work(SERVICE_CONTEXT))

    subscribe(
        runtime.broker,
        runtime.settings,
        topic=REFERRALS,
        group_id=runtime.settings.consumer_group(SERVICE),
        events=CONSUMES[REFERRALS],
        handler=on_referral_created,
    )
