"""Reporting's read model, all in the ``reporting`` schema: a row per case and a row per (case, violence
type), so a case with two violence types is one case that counts under two types; and the read audit trail."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import Column, DateTime, ForeignKey, Text, Uuid
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from shared.db import service_registry
from shared.service import define_messaging_tables


class ReportingTable(SQLModel, registry=service_registry("reporting")):
    """Base of reporting's tables: its own registry and metadata, bound to the ``reporting`` schema."""


metadata = ReportingTable.metadata


class CaseFactsRow(ReportingTable, table=True):
    __tablename__ = "case_facts"

    case_id: UUID = Field(primary_key=True)
    case_number: str = Field(sa_type=Text)
    province_code: str = Field(sa_type=Text)
    regency_code: str = Field(sa_type=Text, index=True)
    victim_sex: str = Field(sa_type=Text)
    victim_age_group: str = Field(sa_type=Text)
    channel: str = Field(sa_type=Text)
    reported_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False, index=True))


class CaseViolenceTypeRow(ReportingTable, table=True):
    __tablename__ = "case_violence_types"

    case_id: UUID = Field(
        sa_column=Column(Uuid, ForeignKey("reporting.case_facts.case_id", ondelete="CASCADE"), primary_key=True)
    )
    violence_type: str = Field(sa_column=Column(Text, primary_key=True))




class PersonalDataReadRow(ReportingTable, table=True):
    """The read audit trail: one row per ``personal_data.read`` event (who saw which fields of which case)."""

    __tablename__ = "personal_data_reads"

    event_id: UUID = Field(primary_key=True)
    case_id: UUID = Field(index=True)
    actor_user_id: str = Field(sa_type=Text)
    actor_agency_id: str | None = Field(default=None, sa_type=Text)
    actor_roles: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    fields: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    endpoint: str = Field(sa_type=Text)
    occurred_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


outbox, inbox = define_messaging_tables(metadata)
