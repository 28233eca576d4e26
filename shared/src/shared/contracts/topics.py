"""Topic names, one constant each, with the partition counts they are created with."""

from dataclasses import dataclass


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    description: str


CASES = TopicSpec("sinergi.cases", 6, "Case lifecycle events from intake: case.reported, ...")
REFERRALS = TopicSpec("sinergi.referrals", 6, "Referral lifecycle events from routing: referral.created, ...")
NOTIFICATIONS = TopicSpec("sinergi.notifications", 6, "Delivery outcomes from notifications: webhook.delivered")

AUDIT = TopicSpec("sinergi.audit", 6, "Read audit from every service: personal_data.read")

ALL_TOPICS: tuple[TopicSpec, ...] = (CASES, REFERRALS, NOTIFICATIONS, AUDIT)


def dead_letter_topic(topic: str) -> str:
    """Where a consumer of ``topic`` parks an event it cannot read, with the reason in headers."""
    return f"{topic}.dlq"
