"""The agency directory as the rules see it, shaped after Open Referral HSDS.

An agency is an HSDS *organization* (``name``, ``alternate_name``) with its own desk's contacts (``phone``,
``whatsapp``, ``email``, ``address``: the office, never a person). ``services`` are its HSDS *services*, named
from the intake needs list (``shared.contracts.vocabulary.Need``), so that a rule can ask for an agency that
provides what a victim needs. ``level`` with ``province_code``/``regency_code`` is its *service area*, which
``district_code``/``village_code`` narrow to one kecamatan or desa of the regency (``domain.service_areas``);
``hours`` is its HSDS *schedule*: open around the clock, or opening hours per weekday in the agency's time zone.
One record per agency: separate service and service-area records come when a rule needs them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from enum import StrEnum
from typing import Any

from routing.domain.service_areas import InvalidAgencyError, local_area
from shared.contracts.vocabulary import AgencyType, Need

# InvalidAgencyError lives with the service areas (which raise it too) and is part of this module's interface.
__all__ = [
    "AGENCY_ID", "ALWAYS_OPEN", "NEEDS", "PROVINCE_CODE", "PROVINCE_TIME_ZONES", "REGENCY_CODE", "TIME_RANGE",
    "WEEKDAYS", "Agency", "AgencyLevel", "InvalidAgencyError", "OpeningHours", "TimeRange", "TimeZone", "Weekday",
    "agency_type_label", "province_time_zone",
]

AGENCY_ID = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")
PROVINCE_CODE = re.compile(r"^\d{2}$")
REGENCY_CODE = re.compile(r"^\d{2}\.\d{2}$")
TIME_RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


def agency_type_label(agency_type: AgencyType) -> str:
    """How an operator names the kind of agency, in the reasons routing writes."""
    return _TYPE_LABELS[agency_type]


_TYPE_LABELS = {
    AgencyType.UPTD_PPA: "UPTD PPA",
    AgencyType.DINAS_PPA: "Dinas PPA",
    AgencyType.POLICE_PPA: "police PPA unit",
    AgencyType.KODIM: "Kodim",
    AgencyType.HEALTH: "health facility",
    AgencyType.DINAS_SOSIAL: "Dinas Sosial",
    AgencyType.DINAS_PENDIDIKAN: "Dinas Pendidikan",
    AgencyType.LEGAL_AID: "legal aid provider",
    AgencyType.NGO: "NGO",
    AgencyType.COMMUNITY: "community service",
    AgencyType.NATIONAL_HOTLINE: "national hotline",
}


class AgencyLevel(StrEnum):
    """The administrative level an agency serves (its service area)."""

    REGENCY = "regency"  # kabupaten / kota
    PROVINCE = "province"
    NATIONAL = "national"


_LEVEL_IN_INDONESIAN = {
    AgencyLevel.REGENCY: "kabupaten/kota", AgencyLevel.PROVINCE: "provinsi", AgencyLevel.NATIONAL: "nasional",
}


class TimeZone(StrEnum):
    """Indonesia's three time zones, by their IANA names."""

    WIB = "Asia/Jakarta"
    WITA = "Asia/Makassar"
    WIT = "Asia/Jayapura"

    @property
    def tz(self) -> tzinfo:
        """The zone's fixed UTC offset. Indonesia keeps no daylight saving time (the zones are those of Keppres
        41/1987), so no time zone database is needed to tell local time."""
        return _ZONES[self]


_ZONES = {
    TimeZone.WIB: timezone(timedelta(hours=7), "WIB"),
    TimeZone.WITA: timezone(timedelta(hours=8), "WITA"),
    TimeZone.WIT: timezone(timedelta(hours=9), "WIT"),
}

# Every province (Kemendagri codes) lies in one time zone.
PROVINCE_TIME_ZONES: Mapping[str, TimeZone] = {
    **dict.fromkeys(("11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34", "35", "36",
                     "61", "62"), TimeZone.WIB),
    **dict.fromkeys(("51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"), TimeZone.WITA),
    **dict.fromkeys(("81", "82", "91", "92", "93", "94", "95", "96"), TimeZone.WIT),
}


def province_time_zone(province_code: str | None) -> TimeZone | None:
    """The time zone of a province, or None for no or an unknown province."""
    return None if province_code is None else PROVINCE_TIME_ZONES.get(province_code)


class Weekday(StrEnum):
    """HSDS ``byday`` days, lowercase, in ``datetime.weekday()`` order."""

    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


WEEKDAYS: tuple[Weekday, ...] = tuple(Weekday)
_MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True, order=True)
class TimeRange:
    """Open from ``opens`` until just before ``closes``, in minutes after local midnight. A range never crosses
    midnight: a night shift is ``22:00-24:00`` on one day and ``00:00-06:00`` on the next."""

    opens: int
    closes: int

    def __post_init__(self) -> None:
        if not 0 <= self.opens < self.closes <= _MINUTES_PER_DAY:
            raise ValueError("a time range opens before it closes, within one day")

    @classmethod
    def parse(cls, text: str) -> TimeRange:
        """``"07:30-16:00"``; ``24:00`` may close a day. ValueError for anything else."""
        match = TIME_RANGE.match(text)
        if not match:
            raise ValueError("not HH:MM-HH:MM")
        open_h, open_m, close_h, close_m = (int(part) for part in match.groups())
        if open_h > 23 or open_m > 59 or close_m > 59 or close_h > 24 or (close_h == 24 and close_m):
            raise ValueError("not a time of day")
        return cls(open_h * 60 + open_m, close_h * 60 + close_m)

    def covers(self, minute: float) -> bool:
        return self.opens <= minute < self.closes

    def __str__(self) -> str:
        return f"{_clock(self.opens)}-{_clock(self.closes)}"


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


_BAD_RANGE = (
    "must be HH:MM-HH:MM, opening before closing on the same day (24:00 may close it)",
    "Harus berformat JJ:MM-JJ:MM, jam buka sebelum jam tutup pada hari yang sama (24:00 boleh menutupnya).",
)


@dataclass(frozen=True)
class OpeningHours:
    """An HSDS-like schedule: ``always_open`` (a 24/7 hotline, a police unit, a hospital's emergency room), or
    opening ranges per weekday (``days[0]`` is Monday), or neither: hours not known, so never known to be open."""

    always_open: bool = False
    days: tuple[tuple[TimeRange, ...], ...] = ((),) * 7

    def __post_init__(self) -> None:
        if len(self.days) != len(WEEKDAYS):
            raise ValueError("one entry per weekday, Monday first")
        if self.always_open and any(self.days):
            raise InvalidAgencyError(
                "hours", "either always_open or opening hours per weekday, not both",
                "Isi always_open atau jam buka per hari, tidak keduanya.",
            )
        normalised = tuple(tuple(sorted(ranges)) for ranges in self.days)
        for day, ranges in zip(WEEKDAYS, normalised, strict=True):
            for index in range(1, len(ranges)):
                if ranges[index].opens < ranges[index - 1].closes:
                    raise InvalidAgencyError(
                        f"hours.{day}", "opening ranges of a day must not overlap",
                        "Rentang jam buka pada hari yang sama tidak boleh tumpang tindih.",
                    )
        object.__setattr__(self, "days", normalised)

    @classmethod
    def weekly(cls, schedule: Mapping[Weekday | str, Iterable[TimeRange | str]]) -> OpeningHours:
        """Opening hours from ``{"mon": ["07:30-16:00"], ...}``; days left out are closed."""
        days: list[tuple[TimeRange, ...]] = [()] * len(WEEKDAYS)
        for name, ranges in schedule.items():
            try:
                day = Weekday(name)
            except ValueError:
                raise InvalidAgencyError(
                    "hours", "days are mon, tue, wed, thu, fri, sat and sun",
                    "Hari: mon, tue, wed, thu, fri, sat, dan sun.",
                ) from None
            days[WEEKDAYS.index(day)] = tuple(_time_range(day, index, item) for index, item in enumerate(ranges))
        return cls(days=tuple(days))

    @classmethod
    def from_document(cls, document: Mapping[str, Any] | None) -> OpeningHours:
        """The inverse of ``to_document``."""
        document = document or {}
        weekly = cls.weekly({day: ranges for day, ranges in document.items() if day != "always_open"})
        return cls(always_open=bool(document.get("always_open")), days=weekly.days)

    def to_document(self) -> dict[str, Any]:
        """``{"always_open": true}``, or ``{"mon": ["07:30-16:00"], ...}`` with the open days only, or ``{}``."""
        if self.always_open:
            return {"always_open": True}
        return {day.value: [str(r) for r in ranges] for day, ranges in zip(WEEKDAYS, self.days, strict=True) if ranges}

    @property
    def known(self) -> bool:
        return self.always_open or any(self.days)

    @property
    def weekly_hours(self) -> bool:
        return any(self.days)

    def on(self, day: Weekday) -> tuple[TimeRange, ...]:
        return self.days[WEEKDAYS.index(day)]

    def open_at(self, local: datetime) -> bool:
        """Whether the schedule is open at the local wall-clock time ``local``."""
        if self.always_open:
            return True
        minute = local.hour * 60 + local.minute + (local.second + local.microsecond / 1e6) / 60
        return any(r.covers(minute) for r in self.days[local.weekday()])


def _time_range(day: Weekday, index: int, item: TimeRange | str) -> TimeRange:
    if isinstance(item, TimeRange):
        return item
    try:
        return TimeRange.parse(item)
    except (TypeError, ValueError):
        raise InvalidAgencyError(f"hours.{day}.{index}", *_BAD_RANGE) from None


ALWAYS_OPEN = OpeningHours(always_open=True)
NEEDS: tuple[str, ...] = tuple(need.value for need in Need)


@dataclass(frozen=True)
class Agency:
    """A directory entry. Cases are referred to the agency's queue; the directory names no people."""

    agency_id: str
    name: str
    agency_type: AgencyType
    level: AgencyLevel
    province_code: str | None = None
    regency_code: str | None = None
    services: tuple[Need, ...] = ()
    active: bool = True
    alternate_name: str | None = None
    email: str | None = None
    phone: str | None = None
    whatsapp: str | None = None
    address: str | None = None
    hours: OpeningHours = field(default_factory=OpeningHours)
    # Derived from the province when left out; needed with opening hours per weekday.
    time_zone: TimeZone | None = None
    # A regency agency serving one kecamatan, or one desa (its kecamatan then derived): a Puskesmas, a Satgas PPA.
    district_code: str | None = None
    village_code: str | None = None

    def __post_init__(self) -> None:
        if not AGENCY_ID.match(self.agency_id):
            raise InvalidAgencyError(
                "agency_id", "must be a lowercase slug such as uptd-ppa-62.13",
                "Harus berupa slug huruf kecil, mis. uptd-ppa-62.13.",
            )
        if not self.name.strip():
            raise InvalidAgencyError("name", "must not be blank", "Tidak boleh kosong.")
        self._check_service_area()
        object.__setattr__(self, "services", _services(self.services))
        self._check_time_zone()

    def _check_service_area(self) -> None:
        """The codes must say exactly where the agency serves, no more and no less than its level."""
        if self.level is AgencyLevel.NATIONAL:
            for code in ("province_code", "regency_code", "district_code", "village_code"):
                if getattr(self, code) is not None:
                    raise InvalidAgencyError(
                        code, "must be empty for a national agency", "Harus kosong untuk lembaga nasional."
                    )
            return
        if self.province_code is None or not PROVINCE_CODE.match(self.province_code):
            raise InvalidAgencyError(
                "province_code", f"a {self.level} agency needs a province code such as 62",
                f"Lembaga tingkat {_LEVEL_IN_INDONESIAN[self.level]} memerlukan kode provinsi, mis. 62.",
            )
        if self.level is AgencyLevel.PROVINCE:
            for code in ("regency_code", "district_code", "village_code"):
                if getattr(self, code) is not None:
                    raise InvalidAgencyError(
                        code, "must be empty for a province agency", "Harus kosong untuk lembaga tingkat provinsi.",
                    )
            return
        if self.regency_code is None or not REGENCY_CODE.match(self.regency_code):
            raise InvalidAgencyError(
                "regency_code", "a regency agency needs a regency code such as 62.13",
                "Lembaga tingkat kabupaten/kota memerlukan kode kabupaten/kota, mis. 62.13.",
            )
        if not self.regency_code.startswith(f"{self.province_code}."):
            raise InvalidAgencyError(
                "regency_code", f"must lie in province {self.province_code}",
                f"Harus berada di provinsi {self.province_code}.",
            )
        object.__setattr__(self, "district_code", local_area(self.regency_code, self.district_code, self.village_code))

    def _check_time_zone(self) -> None:
        if self.time_zone is None:
            object.__setattr__(self, "time_zone", province_time_zone(self.province_code))
        else:
            try:
                object.__setattr__(self, "time_zone", TimeZone(self.time_zone))
            except ValueError:
                raise InvalidAgencyError(
                    "time_zone", "must be Asia/Jakarta, Asia/Makassar or Asia/Jayapura",
                    "Harus Asia/Jakarta, Asia/Makassar, atau Asia/Jayapura.",
                ) from None
        if self.time_zone is None and self.hours.weekly_hours:
            raise InvalidAgencyError(
                "time_zone", "is needed with opening hours, as the province code gives none",
                "Wajib diisi bila ada jam buka, karena tidak dapat diturunkan dari kode provinsi.",
            )

    @property
    def local_area(self) -> str | None:
        """The desa or kecamatan the agency serves, or None when it serves a whole regency, province or country."""
        return self.village_code or self.district_code

    def serves_regency(self, regency_code: str) -> bool:
        """A regency-wide agency of ``regency_code`` (one serving a kecamatan or desa of it does not count)."""
        return self.level is AgencyLevel.REGENCY and self.regency_code == regency_code and self.local_area is None

    def serves_district(self, district_code: str | None) -> bool:
        """An agency serving exactly the kecamatan ``district_code`` (not only one desa of it)."""
        return district_code is not None and self.village_code is None and self.district_code == district_code

    def serves_village(self, village_code: str | None) -> bool:
        return village_code is not None and self.village_code == village_code

    def serves_province(self, province_code: str) -> bool:
        """A province-level agency of ``province_code`` (regency agencies of the province do not count)."""
        return self.level is AgencyLevel.PROVINCE and self.province_code == province_code

    def provides(self, need: Need) -> bool:
        return need in self.services

    def is_open(self, at: datetime) -> bool:
        """Whether the agency's hours say it is open at the instant ``at`` (timezone-aware), read in its own time
        zone. Hours not known are never open. Whether the agency is ``active`` is a separate question."""
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError("is_open needs a timezone-aware datetime")
        if not self.hours.weekly_hours:
            return self.hours.always_open
        assert self.time_zone is not None  # checked on construction
        return self.hours.open_at(at.astimezone(self.time_zone.tz))

    @property
    def time_zone_from_province(self) -> bool:
        """Whether the time zone is the one the province gives (so a directory file may leave it out)."""
        return self.time_zone == province_time_zone(self.province_code)

    @property
    def label(self) -> str:
        """How an operator recognises the agency in a reason: its name and its directory id."""
        return f"{self.name} ({self.agency_id})"


def _services(services: Iterable[Need | str]) -> tuple[Need, ...]:
    """The services as needs of the intake needs list, each once."""
    needs: list[Need] = []
    for index, service in enumerate(services):
        try:
            need = Need(service)
        except ValueError:
            raise InvalidAgencyError(
                f"services.{index}", f"must be one of the intake needs: {', '.join(NEEDS)}",
                f"Harus salah satu kebutuhan layanan: {', '.join(NEEDS)}.",
            ) from None
        if need in needs:
            raise InvalidAgencyError(f"services.{index}", "is listed twice", "Tercantum dua kali.")
        needs.append(need)
    return tuple(needs)
