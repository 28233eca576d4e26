"""Routing's tables, all in the ``routing`` schema."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    CheckConstraint,
    Column,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
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
# Only a regency agency may serve one kecamatan or desa of its regency, and a desa's kecamatan is always kept (0008).
LOCAL_AREA_IN_REGENCY = (
    "(district_code IS NULL AND village_code IS NULL)"
    " OR (level = 'regency' AND district_code IS NOT NULL AND starts_with(district_code, regency_code || '.')"
    " AND (village_code IS NULL OR starts_with(village_code, district_code || '.')))"
)
# Indonesia's three zones (routing.domain.agencies.TimeZone).
TIME_ZONE_KNOWN = "time_zone IN ('Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura')"


class AgencyRow(RoutingTable, table=True):
    """The agency directory, after Open Referral HSDS: the organization with its desk's contacts, its services
    (needs of the intake needs list), its service area and its schedule."""

    __tablename__ = "agencies"
    __table_args__ = (
        CheckConstraint(SERVICE_AREA_MATCHES_LEVEL, name="agencies_service_area_matches_level"),
        CheckConstraint(TIME_ZONE_KNOWN, name="agencies_time_zone_known"),
        CheckConstraint(LOCAL_AREA_IN_REGENCY, name="agencies_local_area_in_regency"),
    )

    agency_id: str = Field(primary_key=True, sa_type=Text)
    name: str = Field(sa_type=Text)
    alternate_name: str | None = Field(default=None, sa_type=Text)
    agency_type: str = Field(sa_type=Text)
    level: str = Field(sa_type=Text)
    province_code: str | None = Field(default=None, index=True, sa_type=Text)
    regency_code: str | None = Field(default=None, index=True, sa_type=Text)
    district_code: str | None = Field(default=None, sa_type=Text, description="The kecamatan served, or the desa's")
    village_code: str | None = Field(default=None, sa_type=Text, description="The desa/kelurahan served")
    services: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False, server_default="{}"))
    email: str | None = Field(default=None, sa_type=Text)
    phone: str | None = Field(default=None, sa_type=Text)
    whatsapp: str | None = Field(default=None, sa_type=Text)
    address: str | None = Field(default=None, sa_type=Text, description="The office's address")
    hours: dict[str, Any] = Field(
        sa_column=Column(JSONB, nullable=False, server_default="{}"),
        description='{"always_open": true}, or {"mon": ["07:30-16:00"], ...}, or {} when not known',
    )
    time_zone: str | None = Field(default=None, sa_type=Text, description="IANA name; null: none known")
    active: bool = True
    created_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )
    updated_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )


# The deadline a referral must meet next (``routing.domain.referral_list``); 'infinity' when none runs.
RUNNING_DEADLINE = (
    "COALESCE(CASE status WHEN 'created' THEN accept_by WHEN 'accepted' THEN first_service_by END,"
    " 'infinity'::timestamptz)"
)
# The referral list's order within each of its ranges, for each audience (0006), and by status (0007).
LIST_ORDER = ("priority", "running_deadline", "referral_id")


class ReferralRow(RoutingTable, table=True):
    __tablename__ = "referrals"
    # One referral per case, round and agency, so a redelivered or re-sent case can never be referred twice; a
    # reopened case (the next round) may go to the same agency again.
    __table_args__ = (
        UniqueConstraint("case_id", "round", "agency_id", name="referrals_case_round_agency_key"),
        *(Index(f"referrals_list_by_{scope}", scope, *LIST_ORDER)
          for scope in ("agency_id", "regency_code", "province_code")),
        # The list filtered by status (0007): one exact range per status, however many referrals are done.
        *(Index(f"referrals_list_by_{scope}_status", scope, "status", *LIST_ORDER)
          for scope in ("agency_id", "regency_code", "province_code")),
    )

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
    rule_set_version: int = 0
    accept_by: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    first_service_by: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    replaces_referral_id: UUID | None = None
    status_reason: str | None = Field(default=None, sa_type=Text, description="Why declined or revoked")
    services_given: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False, server_default="{}"))
    updated_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    round: int = Field(default=0, description="The case's round (times reopened) the referral was made in")
    accepted_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    requested_by: str | None = Field(default=None, sa_type=Text, description="Who made it by hand (a sub)")
    # The case's facts the referral list shows and orders by, kept from case.reported and case.updated.
    case_number: str | None = Field(default=None, sa_type=Text)
    priority: str = Field(default="P3", sa_column=Column(Text, nullable=False, server_default="P3"))
    violence_types: list[str] = Field(
        default_factory=list, sa_column=Column(ARRAY(Text), nullable=False, server_default="{}"))
    running_deadline: datetime | None = Field(default=None, sa_column=Column(
        DateTime(timezone=True), Computed(RUNNING_DEADLINE, persisted=True), nullable=False))


class FollowUpRow(RoutingTable, table=True):
    """A follow-up an agency set itself on its referral: when, and what to do (its working note, which may name
    people: encrypted, ``shared.crypto``). ``fired_at``: ``referral.follow_up_due`` was raised."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        Index("follow_ups_by_referral", "referral_id", "due_at"),
        Index("follow_ups_due", "due_at", postgresql_where=text("done_at IS NULL AND fired_at IS NULL")),
    )

    follow_up_id: UUID = Field(primary_key=True)
    referral_id: UUID = Field(sa_column=Column(ForeignKey("routing.referrals.referral_id"), nullable=False))
    agency_id: str = Field(sa_type=Text)
    due_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    note_ciphertext: str = Field(sa_type=Text)
    created_by: str = Field(sa_type=Text)
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    done_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    done_by: str | None = Field(default=None, sa_type=Text)
    fired_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class RuleSetRow(RoutingTable, table=True):
    """Every version of every rule set ever stored: the national default's (``scope`` national) and each
    province's (``scope`` its code). A scope's highest version is in force there."""

    __tablename__ = "rule_sets"

    scope: str = Field(primary_key=True, sa_type=Text, default="national")
    version: int = Field(primary_key=True)
    document: str = Field(sa_type=Text, description="The rule set as YAML")
    created_by: str = Field(sa_type=Text)
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class RoutedCaseRow(RoutingTable, table=True):
    """What routing knows of a case (``domain.cases.CaseToRoute``), to re-route it when an agency declines."""

    __tablename__ = "cases"

    case_id: UUID = Field(primary_key=True)
    document: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    services_completed_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    closed_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    round: int = Field(default=0, description="How many times the case was reopened")


class SlaTimerRow(RoutingTable, table=True):
    """A deadline of a referral; fired (once) when it passes unmet, or closed when it is met."""

    __tablename__ = "sla_timers"
    __table_args__ = (Index("sla_timers_due", "due_at", postgresql_where=text("fired_at IS NULL")),)

    referral_id: UUID = Field(primary_key=True)
    deadline: str = Field(primary_key=True, sa_type=Text)
    due_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    fired_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    outcome: str | None = Field(default=None, sa_type=Text, description="breached, met, or cancelled (the case closed)")


outbox, inbox = define_messaging_tables(metadata)
