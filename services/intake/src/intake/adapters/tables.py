"""Intake's tables, all in the ``intake`` schema."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Column, Date, DateTime, ForeignKey, Text, UniqueConstraint, Uuid
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

from shared.db import service_registry
from shared.service import define_messaging_tables


class IntakeTable(SQLModel, registry=service_registry("intake")):
    """Base of intake's tables: its own registry and metadata, bound to the ``intake`` schema."""


metadata = IntakeTable.metadata


class CaseRow(IntakeTable, table=True):
    __tablename__ = "cases"

    case_id: UUID = Field(primary_key=True)
    case_number: str = Field(unique=True)
    province_code: str = Field(index=True)
    regency_code: str = Field(index=True)
    violence_types: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    channel: str
    reported_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    recorded_by: str | None = Field(default=None, sa_type=Text, description="The staff member who recorded it")
    facts: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False), description="The record minus personal data")
    priority: str
    priority_raised_to: str | None = Field(default=None, sa_type=Text, description="Raised by an operator (0007)")
    triage_reasons: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    status: str = Field(default="open", sa_type=Text)
    closed_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    closure_reason: str | None = Field(default=None, sa_type=Text)


class CasePersonalFieldRow(IntakeTable, table=True):
    """One personal field of a case, apart from the case so that row-level security can decide per field."""

    __tablename__ = "case_personal_fields"

    case_id: UUID = Field(sa_column=Column(Uuid, ForeignKey("intake.cases.case_id"), primary_key=True))
    field: str = Field(sa_column=Column(Text, primary_key=True), description="Its path, e.g. victims.0.name")
    kind: str = Field(sa_type=Text, description="An intake.domain.access.PersonalField: what decides who reads it")
    bound_to: str = Field(sa_type=Text, description="The name the ciphertext is bound to (its path, since 0003)")
    ciphertext: str = Field(sa_type=Text, description="AES-GCM, bound to the case and field (shared.crypto)")


class CaseAccessRow(IntakeTable, table=True):
    """One referral of a case (from routing's referral.* events) and the access it leaves its agency now:
    ``intake.domain.access.Grant``. An agency's access is the best of its rows."""

    __tablename__ = "case_access"

    referral_id: UUID = Field(primary_key=True)
    # No foreign key to cases: a grant from routing is kept even for a case intake does not hold.
    case_id: UUID = Field(sa_column=Column(Uuid, nullable=False))
    agency_id: str = Field(sa_type=Text)
    agency_type: str = Field(sa_type=Text)
    referred_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    is_lead: bool = False
    access: str = Field(default="live", sa_type=Text, description="live, follow_up or ended")
    access_since: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    read_until: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    consented: bool = Field(default=True, description="The case's consent covers the agency's type")
    # The referral's last event (referral.accepted...), for the reporter's status page; null before 0007.
    stage: str | None = Field(default=None, sa_type=Text)


class FieldVisibilityRow(IntakeTable, table=True):
    """Which personal fields each agency type may read (reference data, set by migrations)."""

    __tablename__ = "field_visibility"

    agency_type: str = Field(sa_column=Column(Text, primary_key=True))
    field: str = Field(sa_column=Column(Text, primary_key=True))


class CaseNumberCounter(IntakeTable, table=True):
    __tablename__ = "case_number_counters"

    regency_code: str = Field(primary_key=True)
    year: int = Field(primary_key=True)
    last_number: int


class CaseFingerprintRow(IntakeTable, table=True):
    """Keyed hashes of a case's identifying fields, to find other reports of the same incident."""

    __tablename__ = "case_fingerprints"

    case_id: UUID = Field(sa_column=Column(Uuid, ForeignKey("intake.cases.case_id"), primary_key=True))
    reason: str = Field(sa_column=Column(Text, primary_key=True))
    digest: str = Field(sa_column=Column(Text, primary_key=True))
    day: date | None = Field(default=None, sa_column=Column(Date))


class CaseLinkRow(IntakeTable, table=True):
    __tablename__ = "case_links"

    case_id: UUID = Field(sa_column=Column(Uuid, ForeignKey("intake.cases.case_id"), primary_key=True))
    linked_case_id: UUID = Field(sa_column=Column(Uuid, ForeignKey("intake.cases.case_id"), primary_key=True))
    reasons: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    linked_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class CaseUpdateRow(IntakeTable, table=True):
    __tablename__ = "case_updates"

    update_id: UUID = Field(primary_key=True)
    case_id: UUID = Field(sa_column=Column(Uuid, ForeignKey("intake.cases.case_id"), nullable=False, index=True))
    kind: str = Field(sa_type=Text)
    changed_fields: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    updated_by: str = Field(sa_type=Text)
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    # The agency the author acted for (null: an operator, or an update made before it was kept).
    updated_by_agency: str | None = Field(default=None, sa_type=Text)


class ReporterCodeRow(IntakeTable, table=True):
    """The slow hash of the one-time code a public report was given: with it and the case number the reporter
    may see the report's status and add information (never the code itself)."""

    __tablename__ = "reporter_codes"

    case_id: UUID = Field(sa_column=Column(Uuid, ForeignKey("intake.cases.case_id"), primary_key=True))
    code_hash: str = Field(sa_type=Text)
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class MessageDraftRow(IntakeTable, table=True):
    """A message from a WhatsApp/SMS gateway, waiting for an operator to turn it into a report."""

    __tablename__ = "message_drafts"
    __table_args__ = (UniqueConstraint("gateway", "gateway_message_id", name="message_drafts_once"),)

    draft_id: UUID = Field(primary_key=True)
    gateway: str = Field(sa_type=Text)
    gateway_message_id: str = Field(sa_type=Text)
    received_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    sender_ciphertext: str = Field(sa_type=Text, description="The sender's number, bound to (draft_id, sender)")
    text_ciphertext: str = Field(sa_type=Text, description="The message, bound to (draft_id, text)")
    status: str = Field(default="open", sa_type=Text)
    case_id: UUID | None = Field(default=None, sa_column=Column(Uuid, ForeignKey("intake.cases.case_id")))
    completed_by: str | None = Field(default=None, sa_type=Text)


outbox, inbox = define_messaging_tables(metadata)
