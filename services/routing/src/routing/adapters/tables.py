"""Routing's tables, all in the ``routing`` schema."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import CheckConstraint, Column, DateTime, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from shared.db import service_registry
from shared.service import define_messaging_tables


class RoutingTable(SQLModel, registry=service_registry("routing")):
    """Base of routing's tables: its own registry and metadata, bound to the ``routing`` schema."""


metadata = RoutingTable.metadata

# The codes say exactly where an agency serves, matching its level (also checked in the domain).
SERVICE_AREA_MATCHES_LEVEL = (
    "(level = 'national' AND province_code IS NULL AND regency_code IS NULL)"
    " OR (level = 'province' AND province_code IS NOT NULL AND regency_code IS NULL)"
    " OR (level = 'regency' AND province_code IS NOT NULL AND regency_code IS NOT NULL)"
)


class AgencyRow(RoutingTable, table=True):
    """The agency directory (HSDS organization + the names of its services + its service area)."""

    __tablename__ = "agencies"
    __table_args__ = (CheckConstraint(SERVICE_AREA_MATCHES_LEVEL, name="agencies_service_area_matches_level"),)

    agency_id: str = Field(primary_key=True, sa_type=Text)
    name: str = Field(sa_type=Text)
    alternate_name: str | None = Field(default=None, sa_type=Text)
    agency_type: str = Field(sa_type=Text)
    level: str = Field(sa_type=Text)
    province_code: str | None = Field(default=None, index=True, sa_type=Text)
    regency_code: str | None = Field(default=None, index=True, sa_type=Text)
    services: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False, server_default="{}"))
    email: str | None = Field(default=None, sa_type=Text)
    phone: str | None = Field(default=None, sa_type=Text)
    active: bool = True
    created_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )
    updated_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )


class ReferralRow(RoutingTable, table=True):
    __tablename__ = "referrals"
    # One referral per case and agency, so a redelivered or re-sent case can never be referred twice.
    __table_args__ = (UniqueConstraint("case_id", "agency_id", name="referrals_case_agency_key"),)

    referral_id: UUID = Field(primary_key=True)
    case_id: UUID  # indexed by the unique constraint, whose first column it is
    # No foreign key: the built-in national fallback may be referred to without a directory row.
    agency_id: str = Field(index=True, sa_type=Text)
    agency_name: str = Field(sa_type=Text, description="The agency's name when the referral was made")
    agency_type: str = Field(sa_type=Text)
    is_lead: bool
    rule: str = Field(sa_type=Text)
    reason: str = Field(sa_type=Text)
    status: str = Field(sa_type=Text)
    province_code: str = Field(sa_type=Text)
    regency_code: str = Field(sa_type=Text)
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


outbox, inbox = define_messaging_tables(metadata)
