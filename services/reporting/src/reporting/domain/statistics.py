"""How statistics may be asked for, counted the SIMFONI-PPA way.

SIMFONI's rule: a case with two violence types counts once under each type, and once in the total. The same
holds for every fact a case can have several of (its victims' sex and age group, its perpetrators'
relationships): a breakdown by one of those can add up to more than the number of cases; every other breakdown
partitions them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TypeVar

PROVINCE_CODE = re.compile(r"^\d{2}$")
REGENCY_CODE = re.compile(r"^\d{2}\.\d{2}$")
DISTRICT_CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}$")


class GroupKey(StrEnum):
    """What case statistics can be broken down by. Each has a fixed column expression in the adapters; nothing
    a caller sends ever reaches SQL except as a bound parameter."""

    REGENCY = "regency"
    DISTRICT = "district"  # the kecamatan; a case whose report named none counts under "unknown"
    VILLAGE = "village"  # the desa/kelurahan, likewise; for the public, small villages merge (see disclosure)
    PROVINCE = "province"
    VIOLENCE_TYPE = "violence_type"  # several per case
    VICTIM_SEX = "victim_sex"  # one per victim, so several per case
    AGE_GROUP = "age_group"  # the victims' age groups
    PLACE = "place"
    RELATIONSHIP = "relationship"  # the perpetrators' relationships to the victim; several per case
    CHANNEL = "channel"
    STATUS = "status"  # open or closed
    MONTH = "month"  # YYYY-MM of reported_at, in UTC

    @property
    def per_case(self) -> bool:
        """False for the keys a case can have several values of (it counts once under each)."""
        return self not in MULTI_VALUED


MULTI_VALUED = frozenset({GroupKey.VIOLENCE_TYPE, GroupKey.VICTIM_SEX, GroupKey.AGE_GROUP, GroupKey.RELATIONSHIP})
ALLOWED_GROUP_KEYS = tuple(key.value for key in GroupKey)


class ReferralGroupKey(StrEnum):
    """What referral statistics can be broken down by."""

    AGENCY = "agency"
    AGENCY_TYPE = "agency_type"
    REGENCY = "regency"
    PROVINCE = "province"
    MONTH = "month"  # YYYY-MM of the referral, in UTC


ALLOWED_REFERRAL_GROUP_KEYS = tuple(key.value for key in ReferralGroupKey)


class StatsQueryError(ValueError):
    """A query parameter the statistics cannot take. ``reason`` is for the log; the caller hears ``code`` (the
    refusal's type, worded by ``shared.refusal_messages`` from ``ctx`` alone, never the input)."""

    def __init__(self, field: str, reason: str, *, code: str, **ctx: object) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
        self.code = code
        self.ctx = ctx


K = TypeVar("K", bound=StrEnum)


def parse_group_by(raw: str | None, keys: type[K]) -> tuple[K, ...]:
    """``"regency, violence_type"`` -> (REGENCY, VIOLENCE_TYPE), in the caller's order, each key once.

    Empty items are ignored (so ``"regency,"`` is fine); an unknown key is refused with the allowed ones."""
    if raw is None:
        return ()
    allowed = [key.value for key in keys]
    names = [name.strip() for name in raw.split(",") if name.strip()]
    unknown = [name for name in names if name not in allowed]
    if unknown:
        shown = ", ".join(repr(name[:40]) for name in unknown[:5])
        raise StatsQueryError("group_by", f"unknown group key {shown}; allowed: {', '.join(allowed)}",
                              code="group_by_unknown", allowed=", ".join(allowed))
    return tuple(keys(name) for name in dict.fromkeys(names))


@dataclass(frozen=True)
class StatsFilter:
    """Which period and region to count. ``date_from`` and ``date_to`` are inclusive calendar days in UTC, the
    same clock as the ``month`` breakdown."""

    date_from: date | None = None
    date_to: date | None = None
    province_code: str | None = None
    regency_code: str | None = None
    district_code: str | None = None  # the kecamatan, for the dashboard's last level of drill-down

    def __post_init__(self) -> None:
        if self.date_from is not None and self.date_to is not None and self.date_to < self.date_from:
            raise StatsQueryError("to", "must not be before from", code="date_range_reversed")
        if self.province_code is not None and not PROVINCE_CODE.match(self.province_code):
            raise StatsQueryError("province", "must be a Kemendagri province code such as 62",
                                  code="province_code_invalid")
        if self.regency_code is not None and not REGENCY_CODE.match(self.regency_code):
            raise StatsQueryError("regency", "must be a Kemendagri regency/city code such as 62.13",
                                  code="regency_code_invalid")
        if self.district_code is not None and not DISTRICT_CODE.match(self.district_code):
            raise StatsQueryError("district", "must be a Kemendagri district (kecamatan) code such as 62.13.01",
                                  code="district_code_invalid")
        if self.district_code is not None:
            regency = self.district_code[:5]
            if self.regency_code not in (None, regency):
                raise StatsQueryError("district", "must lie in the regency asked for",
                                      code="district_outside_regency")
            # A kecamatan names its regency: filled in, so that who may see it exactly is decided on the regency
            # (frozen dataclass, hence object.__setattr__).
            object.__setattr__(self, "regency_code", regency)

    @property
    def starts_at(self) -> datetime | None:
        """Inclusive lower bound on the counted moment (a case's report, a referral's making)."""
        return _midnight_utc(self.date_from) if self.date_from is not None else None

    @property
    def ends_before(self) -> datetime | None:
        """Exclusive upper bound: the midnight after ``date_to``, so all of that day counts."""
        return _midnight_utc(self.date_to + timedelta(days=1)) if self.date_to is not None else None


def _midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


@dataclass(frozen=True)
class CaseStatsQuery(StatsFilter):
    """Which cases to count and how to break them down."""

    group_by: tuple[GroupKey, ...] = ()


@dataclass(frozen=True)
class ReferralStatsQuery(StatsFilter):
    """Which referrals to count (by when they were made) and how to break them down."""

    group_by: tuple[ReferralGroupKey, ...] = ()


@dataclass(frozen=True)
class GroupCount:
    """One row of a breakdown: the value of each group key, in the query's order, and how many cases."""

    values: tuple[str, ...]
    count: int


@dataclass(frozen=True)
class CaseStatistics:
    group_by: tuple[GroupKey, ...]
    rows: tuple[GroupCount, ...]
    total_cases: int  # distinct cases matching the filters, whatever the breakdown


@dataclass(frozen=True)
class ReferralFigures:
    """How a group of referrals went. Times are hours from the referral; a median or p90 is None when no
    referral of the group got that far. A deadline is met when the step came before it and no breach was
    recorded, missed when a breach was recorded or the step came late; one still running counts in neither."""

    values: tuple[str, ...]
    count: int
    accepted: int
    hours_to_accept_median: float | None
    hours_to_accept_p90: float | None
    hours_to_first_service_median: float | None
    hours_to_first_service_p90: float | None
    accept_sla_met: int
    accept_sla_missed: int
    first_service_sla_met: int
    first_service_sla_missed: int
    escalations: int
    open: int
    closed: int

    @property
    def sla_compliance(self) -> float | None:
        """The share of decided deadlines (both kinds) that were met; None while none is decided."""
        met = self.accept_sla_met + self.first_service_sla_met
        decided = met + self.accept_sla_missed + self.first_service_sla_missed
        return round(met / decided, 4) if decided else None


@dataclass(frozen=True)
class ReferralStatistics:
    group_by: tuple[ReferralGroupKey, ...]
    rows: tuple[ReferralFigures, ...]
    total_referrals: int
