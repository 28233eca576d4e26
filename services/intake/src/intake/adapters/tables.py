"""Intake's tables, all in the ``intake`` schema."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import Column, DateTime, Text
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
    narrative_ciphertext: str = Field(description="AES-GCM ciphertext bound to this case (shared.crypto)")
    reported_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class CaseNumberCounter(IntakeTable, table=True):
    __tablename__ = "case_number_counters"

    regency_code: str = Field(primary_key=True)
    year: int = Field(primary_key=True)
    last_number: int


outbox, inbox = define_messaging_tables(metadata)
