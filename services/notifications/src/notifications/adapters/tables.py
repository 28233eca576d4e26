"""Notifications' tables, all in the ``notifications`` schema."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

from shared.db import service_registry
from shared.service import define_messaging_tables


class NotificationsTable(SQLModel, registry=service_registry("notifications")):
    """Base of notifications' tables: its own registry and metadata, bound to the ``notifications`` schema."""


metadata = NotificationsTable.metadata


class SubscriptionRow(NotificationsTable, table=True):
    """Who is told of what, how. A webhook's URL is kept as is (an agency system's address); an email address
    or a phone number, which belongs to a person, only encrypted. Deleted subscriptions stay, without their
    secrets and contacts, for the delivery log and the audit trail."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        Index("subscriptions_agency", "agency_id"),
        Index("subscriptions_region", "region_code", postgresql_where=text("scope = 'region'")),
        CheckConstraint("scope IN ('agency', 'region')", name="subscriptions_scope"),
        CheckConstraint("channel IN ('webhook', 'email', 'sms', 'whatsapp')", name="subscriptions_channel"),
    )

    subscription_id: UUID = Field(primary_key=True)
    scope: str = "agency"
    agency_id: str | None = None
    region_code: str | None = Field(default=None, description="The most it may cover (None: an agency's own)")
    event_types: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    channel: str = "webhook"
    url: str | None = Field(default=None, description="The webhook's URL (channel webhook)")
    contact_ciphertext: str | None = Field(default=None, description="Email address or phone number, encrypted")
    secret_ciphertext: str | None = Field(default=None, description="Webhook signing secret, encrypted")
    previous_secret_ciphertext: str | None = Field(default=None, description="Also signed with, until it expires")
    previous_secret_expires_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    language: str = "id"
    regions: list[str] = Field(default_factory=list, sa_column=Column(ARRAY(Text), nullable=False))
    priorities: list[str] = Field(default_factory=list, sa_column=Column(ARRAY(Text), nullable=False))
    paused: bool = False
    owner: str = ""
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    deleted_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class DeliveryRow(NotificationsTable, table=True):
    """One event for one subscription, from queued to delivered or dead (the dead-letter record). ``payload``
    is the notification built for this subscription: for a webhook, exactly the bytes that are signed and sent."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id", name="deliveries_subscription_event"),
        CheckConstraint("status IN ('pending', 'delivered', 'dead')", name="deliveries_status"),
        # The worker's poll: only pending rows, in due order.
        Index("deliveries_due", "next_attempt_at", postgresql_where=text("status = 'pending'")),
        Index("deliveries_log", "subscription_id", "created_at"),
    )

    delivery_id: UUID = Field(primary_key=True)
    subscription_id: UUID = Field(
        sa_column=Column(Uuid, ForeignKey("subscriptions.subscription_id"), nullable=False)
    )
    event_id: UUID
    event_type: str
    case_id: UUID
    payload: str
    status: str
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    last_attempt_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    last_status_code: int | None = None
    last_error: str | None = None
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    delivered_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class DeliveryAttemptRow(NotificationsTable, table=True):
    """Every attempt of every delivery, for the delivery log: when, how long, what came back."""

    __tablename__ = "delivery_attempts"
    __table_args__ = (Index("delivery_attempts_delivery", "delivery_id", "attempt"),)

    attempt_id: UUID = Field(primary_key=True)
    delivery_id: UUID = Field(sa_column=Column(Uuid, ForeignKey("deliveries.delivery_id"), nullable=False))
    attempt: int
    started_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    duration_ms: int
    status_code: int | None = None
    error: str | None = None
    outcome: str = Field(description="delivered, retry, dead, or circuit_open (failed without a request)")


class EndpointCircuitRow(NotificationsTable, table=True):
    """The circuit breaker of one endpoint (domain.circuit), shared by every worker instance."""

    __tablename__ = "endpoint_circuits"

    endpoint_key: str = Field(primary_key=True, description="A hash of the webhook URL, or the channel")
    consecutive_failures: int = 0
    times_opened: int = 0
    opened_until: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    trial_until: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class KnownCaseRow(NotificationsTable, table=True):
    """Notifications' own view of a case: its non-personal facts, from case.reported and case.updated."""

    __tablename__ = "known_cases"

    case_id: UUID = Field(primary_key=True)
    facts: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    as_of: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class KnownReferralRow(NotificationsTable, table=True):
    """Notifications' own view of a referral, from referral.* events: who holds which case, and since when
    (``status_since``, ``closed_with_case``: the follow-up period of ``shared.referral_access``)."""

    __tablename__ = "known_referrals"
    __table_args__ = (Index("known_referrals_case", "case_id"),)

    referral_id: UUID = Field(primary_key=True)
    case_id: UUID
    agency_id: str
    agency_type: str
    is_lead: bool
    status: str
    accept_by: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    first_service_by: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    status_since: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    closed_with_case: bool = False


class WaitingEventRow(NotificationsTable, table=True):
    """An event that came before its case did (the case and referral topics are read independently): held,
    in arrival order, until the case's facts arrive, then handled as if it had just come."""

    __tablename__ = "waiting_events"
    __table_args__ = (Index("waiting_events_case", "case_id", "sequence"),)

    sequence: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    case_id: UUID
    event: str
    received_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


subscriptions: Table = SubscriptionRow.__table__  # type: ignore[attr-defined]
deliveries: Table = DeliveryRow.__table__  # type: ignore[attr-defined]
delivery_attempts: Table = DeliveryAttemptRow.__table__  # type: ignore[attr-defined]
endpoint_circuits: Table = EndpointCircuitRow.__table__  # type: ignore[attr-defined]
known_cases: Table = KnownCaseRow.__table__  # type: ignore[attr-defined]
known_referrals: Table = KnownReferralRow.__table__  # type: ignore[attr-defined]
waiting_events: Table = WaitingEventRow.__table__  # type: ignore[attr-defined]

outbox, inbox = define_messaging_tables(metadata)
