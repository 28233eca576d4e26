"""How case statistics may be asked for, counted the SIMFONI-PPA way.

SIMFONI's rule: a case with two violence types counts once under each type, and once in the total. So only a
breakdown by violence type can add up to more than the number of cases; every other breakdown partitions them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

PROVINCE_CODE = re.compile(r"^\d{2}$")
REGENCY_CODE = re.compile(r"^\d{2}\.\d{2}$")


class GroupKey(StrEnum):
    """What statistics can be broken down by. Each has a fixed column expression in the adapters; nothing a
    caller sends ever reaches SQL except as a bound parameter."""

    REGENCY = "regency"
    PROVINCE = "province"
    VIOLENCE_TYPE = "violence_type"
    VICTIM_SEX = "victim_sex"
    AGE_GROUP = "age_group"
    CHANNEL = "channel"
    MONTH = "month"  # YYYY-MM of reported_at, in UTC


ALLOWED_GROUP_KEYS = tuple(key.value for key in GroupKey)


class StatsQueryError(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def parse_group_by(raw: str | None) -> tuple[GroupKey, ...]:
    """``"regency, violence_type"`` -> (REGENCY, VIOLENCE_TYPE), in the caller's order, each key once.

    Empty items are ignored (so ``"regency,"`` is fine); an unknown key is refused with the allowed ones."""
    if raw is None:
        return ()
    names = [name.strip() for name in raw.split(",") if name.strip()]
    unknown = [name for name in names if name not in ALLOWED_GROUP_KEYS]
    if unknown:
        shown = ", ".join(repr(name[:40]) for name in unknown[:5])
        raise StatsQueryError(
            "group_by", f"unknown group key {shown}; allowed: {', '.join(ALLOWED_GROUP_KEYS)}"
        )
    return tuple(GroupKey(name) for name in dict.fromkeys(names))


@dataclass(frozen=True)
class CaseStatsQuery:
    """Which cases to count and how to break them down. ``date_from`` and ``date_to`` are inclusive calendar
    days in UTC, the same clock as the ``month`` breakdown."""

    group_by: tuple[GroupKey, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    province_code: str | None = None
    regency_code: str | None = None

    def __post_init__(self) -> None:
        if self.date_from is not None and self.date_to is not None and self.date_to < self.date_from:
            raise StatsQueryError("to", "must not be before from")
        if self.province_code is not None and not PROVINCE_CODE.match(self.province_code):
            raise StatsQueryError("province", "must be a Kemendagri province code such as 62")
        if self.regency_code is not None and not REGENCY_CODE.match(self.regency_code):
            raise StatsQueryError("regency", "must be a Kemendagri regency/city code such as 62.13")

    @property
    def reported_from(self) -> datetime | None:
        """Inclusive lower bound on ``reported_at``."""
        return _midnight_utc(self.date_from) if self.date_from is not None else None

    @property
    def reported_before(self) -> datetime | None:
        """Exclusive upper bound on ``reported_at``: the midnight after ``date_to``, so all of it counts."""
        return _midnight_utc(self.date_to + timedelta(days=1)) if self.date_to is not None else None

    @property
    def per_violence_type(self) -> bool:
        """True when a case is counted once per violence type rather than once."""
        return GroupKey.VIOLENCE_TYPE in self.group_by


def _midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


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
