"""Intake's tables, all in the ``intake`` schema."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import Column, DateTime, ForeignKey, Text, Uuid
from sqlalchemy.dialects.postgresql import ARRAY
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
    victim_sex: str
    victim_age: int | None = None
    channel: str
    reported_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    recorded_by: str | None = Field(default=None, sa_type=Text, description="The operator who recorded it")


class CasePersonalFieldRow(IntakeTable, table=True):
    """One personal field of a case, apart from the case so that row-level security can decide per field."""

    __tablename__ = "case_personal_fields"

    case_id: UUID = Field(sa_column=Column(Uuid, ForeignKey("intake.cases.case_id"), primary_key=True))
    field: str = Field(sa_column=Column(Text, primary_key=True))
    ciphertext: str = Field(sa_type=Text, description="AES-GCM, bound to the case and field (shared.crypto)")


class CaseAccessRow(IntakeTable, table=True):
    """Which agencies a case is referred to (from routing's referral.created): who may read its details."""

    __tablename__ = "case_access"

    # No foreign key to cases: a grant from routing is kept even for a case intake does not hold.
    case_id: UUID = Field(sa_column=Column(Uuid, primary_key=True))
    agency_id: str = Field(sa_column=Column(Text, primary_key=True))
    agency_type: str = Field(sa_type=Text)
    referral_id: UUID
    referred_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


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


outbox, inbox = define_messaging_tables(metadata)
