"""Event contracts: the only language Sinergi's services speak to each other.

One module per producing service; ``topics`` names where each event travels. Events carry no personal field:
an authorised agency reads the details through the owning service's API.
"""

from shared.contracts.audit import PersonalDataRead
from shared.contracts.base import Event, EventParseError, event_class_of, parse_event, parse_event_as
from shared.contracts.intake import CaseClosed, CaseLinked, CaseReopened, CaseReported, CaseUpdated
from shared.contracts.notifications import DeliveryDeadLettered, WebhookDelivered
from shared.contracts.routing import (
    CaseServicesCompleted,
    ReferralAccepted,
    ReferralCompleted,
    ReferralCreated,
    ReferralDeclined,
    ReferralFollowUpDue,
    ReferralRevoked,
    ReferralServiceStarted,
    ReferralSlaBreached,
)
from shared.contracts.topics import ALL_TOPICS, AUDIT, CASES, NOTIFICATIONS, REFERRALS, TopicSpec, dead_letter_topic
from shared.contracts.vocabulary import AgeGroup, Channel, Sex, ViolenceType

__all__ = [
    "ALL_TOPICS",
    "AUDIT",
    "CASES",
    "NOTIFICATIONS",
    "REFERRALS",
    "AgeGroup",
    "CaseClosed",
    "CaseLinked",
    "CaseReopened",
    "CaseReported",
    "CaseServicesCompleted",
    "CaseUpdated",
    "Channel",
    "DeliveryDeadLettered",
    "Event",
    "EventParseError",
    "PersonalDataRead",
    "ReferralAccepted",
    "ReferralCompleted",
    "ReferralCreated",
    "ReferralDeclined",
    "ReferralFollowUpDue",
    "ReferralRevoked",
    "ReferralServiceStarted",
    "ReferralSlaBreached",
    "Sex",
    "TopicSpec",
    "ViolenceType",
    "WebhookDelivered",
    "dead_letter_topic",
    "event_class_of",
    "parse_event",
    "parse_event_as",
]
