"""Intake's Kafka consumers."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from intake import SERVICE
from intake.service_layer.handlers import record_referral
from shared.contracts import (
    REFERRALS,
    Event,
    ReferralAccepted,
    ReferralCompleted,
    ReferralCreated,
    ReferralDeclined,
    ReferralRevoked,
    ReferralServiceStarted,
    TopicSpec,
)
from shared.service import Runtime

# What intake consumes; also its AsyncAPI document (entrypoints/asyncapi.py). Every referral event that changes
# what its agency may do with the case; ``referral.sla_breached`` changes nothing (shared.referral_access).
CONSUMES: dict[TopicSpec, tuple[type[Event], ...]] = {
    REFERRALS: (
        ReferralCreated, ReferralAccepted, ReferralServiceStarted, ReferralCompleted, ReferralDeclined,
        ReferralRevoked,
    ),
}


def register_subscribers(runtime: Runtime) -> None:
    """Consume the referral events: access to each case follows its referrals. Called before the broker starts."""
    follow_up = timedelta(days=runtime.settings.referral_follow_up_days)
    runtime.consume(REFERRALS, CONSUMES[REFERRALS], partial(record_referral, follow_up=follow_up), consumer=SERVICE)
