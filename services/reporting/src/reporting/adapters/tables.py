"""Reporting's read models, all in the ``reporting`` schema: a row per case, and a row per each of the facts a
case can have several of (violence types, victims, relationships), so a case with two violence types is one
case that counts under two types; closures; a row per referral; and the read audit trail."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import Column, DateTime, ForeignKey, SmallInteger, Table, Text, Uuid
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from shared.db import service_registry
from shared.service import define_messaging_tables


class ReportingTable(SQLModel, registry=service_registry("reporting")):
    """Base of reporting's tables: its own registry and metadata, bound to the ``reporting`` schema."""


metadata = ReportingTable.metadata


class CaseFactsRow(ReportingTable, table=True):
    """A case's single-valued facts, as last stated (``facts_as_of``: the event that stated them)."""

    __tablename__ = "case_facts"

    case_id: UUID = Field(primary_key=True)
    case_number: str = Field(sa_type=Text)
    province_code: str = Field(sa_type=Text)
    regency_code: str = Field(sa_type=Text, index=True)
    district_code: str | None = Field(default=None, sa_type=Text, index=True)  # None when the report named none
    village_code: str | None = Field(default=None, sa_type=Text, index=True)  # the desa/kelurahan, likewise
    place: str = Field(sa_type=Text)
    channel: str = Field(sa_type=Text)
    reported_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False, index=True))
    facts_as_of: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


def _of_case() -> Column[UUID]:
    return Column(Uuid, ForeignKey("reporting.case_facts.case_id", ondelete="CASCADE"), primary_key=True)


class CaseViolenceTypeRow(ReportingTable, table=True):
    __tablename__ = "case_violence_types"

    case_id: UUID = Field(sa_column=_of_case())
    violence_type: str = Field(sa_column=Column(Text, primary_key=True))


class CaseVictimRow(ReportingTable, table=True):
    """One victim of a case, numbered in the order the case lists them."""

    __tablename__ = "case_victims"

    case_id: UUID = Field(sa_column=_of_case())
    victim_no: int = Field(sa_column=Column(SmallInteger, primary_key=True))
    sex: str = Field(sa_type=Text)
    age_group: str = Field(sa_type=Text)


class CaseRelationshipRow(ReportingTable, table=True):
    """How a case's perpetrators are related to the victim (``tidak_diketahui`` when nobody is known)."""

    __tablename__ = "case_relationships"

    case_id: UUID = Field(sa_column=_of_case())
    relationship: str = Field(sa_column=Column(Text, primary_key=True))


class CaseClosureRow(ReportingTable, table=True):
    """A case's latest closure. Apart from case_facts so that the two events count whatever order they are read
    in. The case is closed while this is later than its latest reopening (``case_reopenings``), if any."""

    __tablename__ = "case_closures"

    case_id: UUID = Field(primary_key=True)
    closed_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    reason: str = Field(sa_type=Text)


class CaseReopeningRow(ReportingTable, table=True):
    """A case's latest reopening: the same case, open again (SIMFONI counts cases, so never a second one)."""

    __tablename__ = "case_reopenings"

    case_id: UUID = Field(primary_key=True)
    reopened_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    reason: str = Field(sa_type=Text)


class ReferralFactsRow(ReportingTable, table=True):
    """A referral's course, one column per step. Each event sets only its own columns (the first time a step
    is stated wins), so the row comes out the same whatever order the events are read in; what
    ``referral.created`` states is NULL until it has been read."""

    __tablename__ = "referral_facts"

    referral_id: UUID = Field(primary_key=True)
    case_id: UUID = Field(index=True)
    agency_id: str = Field(sa_type=Text)
    agency_type: str | None = Field(default=None, sa_type=Text)
    is_lead: bool | None = Field(default=None)
    province_code: str | None = Field(default=None, sa_type=Text)
    regency_code: str | None = Field(default=None, sa_type=Text)
    referred_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), index=True))
    accept_by: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    first_service_by: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    accepted_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    service_started_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    ended_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    ended_as: str | None = Field(default=None, sa_type=Text)  # completed, declined or revoked
    accept_breached: bool = Field(default=False)
    accept_escalated: bool = Field(default=False)
    first_service_breached: bool = Field(default=False)
    first_service_escalated: bool = Field(default=False)


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

# The tables as SQLAlchemy Core sees them (SQLModel sets __table__ when it creates a class, out of mypy's sight).
case_facts: Table = CaseFactsRow.__table__  # type: ignore[attr-defined]
case_violence_types: Table = CaseViolenceTypeRow.__table__  # type: ignore[attr-defined]
case_victims: Table = CaseVictimRow.__table__  # type: ignore[attr-defined]
case_relationships: Table = CaseRelationshipRow.__table__  # type: ignore[attr-defined]
case_closures: Table = CaseClosureRow.__table__  # type: ignore[attr-defined]
case_reopenings: Table = CaseReopeningRow.__table__  # type: ignore[attr-defined]
referral_facts: Table = ReferralFactsRow.__table__  # type: ignore[attr-defined]
personal_data_reads: Table = PersonalDataReadRow.__table__  # type: ignore[attr-defined]
# What `sinergi reporting rebuild` empties and fills again from the topics: everything derived from events
# except the audit trails, which are records, not views.
READ_MODELS: tuple[Table, ...] = (
    case_facts, case_violence_types, case_victims, case_relationships, case_closures, case_reopenings, referral_facts
)
