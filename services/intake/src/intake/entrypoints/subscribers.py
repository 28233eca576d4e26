"""Intake's Kafka consumers."""

from __future__ import annotations

from intake import SERVICE
from intake.service_layer.handlers import record_referral
from shared.contracts import REFERRALS, Event, ReferralCreated, TopicSpec
from shared.service import Runtime

# What intake consumes; also its AsyncAPI document (entrypoints/asyncapi.py).
CONSUMES: dict[TopicSpec, tuple[type[Event], ...]] = {REFERRALS: (ReferralCreated,)}


def register_subscribers(runtime: Runtime) -> None:
    """Consume ``referral.created``: the referred agency may read the case. Called before the broker starts."""
    runtime.consume(REFERRALS, CONSUMES[REFERRALS], record_referral, consumer=SERVICE)
