"""Notifications' tables, all in the ``notifications`` schema."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Index, Table, Text, UniqueConstraint, Uuid, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from shared.db import service_registry
from shared.service import define_messaging_tables


class NotificationsTable(SQLModel, registry=service_registry("notifications")):
    """Base of notifications' tables: its own registry and metadata, bound to the ``notifications`` schema."""


metadata = NotificationsTable.metadata


class SubscriptionRow(NotificationsTable, table=True):
    __tablename__ = "subscriptions"
    __table_args__ = (Index("subscriptions_agency", "agency_id"),)

    subscription_id: UUID = Field(primary_key=True)
    agency_id: str
    url: str
    event_types: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    secret_ciphertext: str = Field(description="AES-GCM ciphertext bound to this subscription (shared.crypto)")
    active: bool = True
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    province_code: str | None = Field(default=None, description="Only cases of this province (None: any)")


class DeliveryRow(NotificationsTable, table=True):
    """One event for one subscription, from queued to delivered or dead. ``payload`` is the event exactly as it
    came off the wire: the bytes that are signed and sent."""

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


subscriptions: Table = SubscriptionRow.__table__  # type: ignore[attr-defined]
deliveries: Table = DeliveryRow.__table__  # type: ignore[attr-defined]

outbox, inbox = define_messaging_tables(metadata)
