"""The directory's wire format: one agency (``AgencyIn``, ``AgencyOut``), a directory (``DirectoryIn``, a
directory file) and what a bulk write changed (``DirectoryUpdated``); and how entries become domain agencies, with
a 422 that names each bad entry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from routing.domain.agencies import WEEKDAYS, Agency, AgencyLevel, InvalidAgencyError, OpeningHours, TimeZone
from routing.domain.directory_changes import DirectoryDiff
from shared.contracts.vocabulary import AgencyType, Need
from shared.validation_messages import Loc

AGENCY_ID_PATTERN = r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$"
PROVINCE_PATTERN = r"^\d{2}$"
REGENCY_PATTERN = r"^\d{2}\.\d{2}$"
DISTRICT_PATTERN = r"^\d{2}\.\d{2}\.\d{2}$"
VILLAGE_PATTERN = r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"
PHONE_PATTERN = r"^\+?[0-9][0-9 ()\-]{2,31}$"
TIME_RANGE_PATTERN = r"^(?:[01]\d|2[0-3]):[0-5]\d-(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$"
MAX_AGENCIES_PER_PUT = 5000
YAML_MEDIA_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"})

TimeRangeText = Annotated[str, StringConstraints(pattern=TIME_RANGE_PATTERN)]
DayHours = Annotated[list[TimeRangeText], Field(max_length=6, examples=[["07:30-16:00"]])]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No agency with this id"}}


class Hours(BaseModel):
    """When the agency's desk is open, after the HSDS schedule: ``always_open`` (a 24/7 hotline or police
    unit), or the opening ranges of each weekday (``HH:MM-HH:MM``, in the agency's time zone; ``24:00`` may close
    a day; a range never crosses midnight). Neither: not known."""

    model_config = ConfigDict(extra="forbid")

    always_open: bool = False
    mon: DayHours = []
    tue: DayHours = []
    wed: DayHours = []
    thu: DayHours = []
    fri: DayHours = []
    sat: DayHours = []
    sun: DayHours = []

    def to_domain(self) -> OpeningHours:
        weekly = OpeningHours.weekly({day: getattr(self, day.value) for day in WEEKDAYS})
        return OpeningHours(always_open=self.always_open, days=weekly.days)

    @classmethod
    def of(cls, hours: OpeningHours) -> Hours:
        return cls.model_validate(hours.to_document())


class AgencyIn(BaseModel):
    """One directory entry (an entry of a directory file). Contacts are the agency's own desk, never a
    person's."""

    model_config = ConfigDict(extra="forbid")

    agency_id: str = Field(
        pattern=AGENCY_ID_PATTERN, max_length=100, examples=["uptd-ppa-62.13"], description="Stable slug; the key",
    )
    name: str = Field(min_length=1, max_length=200, examples=["UPTD PPA Kabupaten Barito Timur"])
    alternate_name: str | None = Field(default=None, max_length=100)
    agency_type: AgencyType
    level: AgencyLevel
    province_code: str | None = Field(default=None, pattern=PROVINCE_PATTERN, examples=["62"])
    regency_code: str | None = Field(default=None, pattern=REGENCY_PATTERN, examples=["62.13"])
    district_code: str | None = Field(
        default=None, pattern=DISTRICT_PATTERN, examples=["62.13.01"],
        description="A regency agency serving one kecamatan of its regency (a Puskesmas, a Satgas PPA)",
    )
    village_code: str | None = Field(
        default=None, pattern=VILLAGE_PATTERN, examples=["62.13.01.2003"],
        description="A regency agency serving one desa/kelurahan of its regency; its kecamatan is derived",
    )
    services: list[Need] = Field(
        default_factory=list, max_length=len(Need), examples=[["pengaduan", "penampungan_sementara", "mediasi"]],
        description="What the agency provides, from the intake needs list; each at most once",
    )
    hours: Hours = Field(default_factory=Hours)
    time_zone: TimeZone | None = Field(
        default=None, description="Left out: the province's. Needed with weekly hours when there is no province",
    )
    phone: str | None = Field(default=None, pattern=PHONE_PATTERN, description="The desk's phone")
    whatsapp: str | None = Field(default=None, pattern=PHONE_PATTERN, description="The desk's WhatsApp number")
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=200)
    address: str | None = Field(default=None, min_length=1, max_length=300, description="The office's address")
    active: bool = True

    def to_domain(self) -> Agency:
        """The domain agency; InvalidAgencyError names the field that breaks a rule of the directory."""
        return Agency(
            agency_id=self.agency_id,
            name=self.name,
            alternate_name=self.alternate_name,
            agency_type=self.agency_type,
            level=self.level,
            province_code=self.province_code,
            regency_code=self.regency_code,
            district_code=self.district_code,
            village_code=self.village_code,
            services=tuple(self.services),
            hours=self.hours.to_domain(),
            time_zone=self.time_zone,
            phone=self.phone,
            whatsapp=self.whatsapp,
            email=self.email,
            address=self.address,
            active=self.active,
        )

    @classmethod
    def of(cls, agency: Agency) -> AgencyIn:
        """The entry that stands for ``agency`` in a directory file (the province's time zone left out)."""
        return cls(
            agency_id=agency.agency_id,
            name=agency.name,
            alternate_name=agency.alternate_name,
            agency_type=agency.agency_type,
            level=agency.level,
            province_code=agency.province_code,
            regency_code=agency.regency_code,
            # A desa's kecamatan is part of its code: a file names the desa only.
            district_code=None if agency.village_code else agency.district_code,
            village_code=agency.village_code,
            services=list(agency.services),
            hours=Hours.of(agency.hours),
            time_zone=None if agency.time_zone_from_province else agency.time_zone,
            phone=agency.phone,
            whatsapp=agency.whatsapp,
            email=agency.email,
            address=agency.address,
            active=agency.active,
        )

    def file_entry(self) -> dict[str, Any]:
        """As in a directory file: what is left at its default is left out."""
        return self.model_dump(mode="json", exclude_defaults=True)


class DirectoryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agencies: list[AgencyIn] = Field(max_length=MAX_AGENCIES_PER_PUT)


class _DirectoryFile(BaseModel):
    """A directory file before its entries are checked one by one."""

    model_config = ConfigDict(extra="forbid")

    agencies: list[Any] = Field(max_length=MAX_AGENCIES_PER_PUT)


class DirectoryUpdated(BaseModel):
    """What a bulk write changed (or, for a dry run, would change), by agency id."""

    upserted: int = Field(description="Agencies written (0 for a dry run)")
    dry_run: bool = False
    created: list[str] = []
    changed: list[str] = []
    deactivated: list[str] = Field(default=[], description="Active agencies the write takes out of service")
    unchanged: list[str] = []
    digest: str = Field(description="Send it back as `digest` (with `deactivate=true`) to apply a deactivation")

    @classmethod
    def of(cls, change: DirectoryDiff, *, dry_run: bool) -> DirectoryUpdated:
        named = len(change.created) + len(change.changed) + len(change.deactivated) + len(change.unchanged)
        return cls(upserted=0 if dry_run else named, dry_run=dry_run, created=list(change.created),
                   changed=list(change.changed), deactivated=list(change.deactivated),
                   unchanged=list(change.unchanged), digest=change.digest)


class AgencyOut(BaseModel):
    agency_id: str
    name: str
    alternate_name: str | None
    agency_type: AgencyType
    level: AgencyLevel
    province_code: str | None
    regency_code: str | None
    district_code: str | None = Field(default=None, description="The kecamatan served, or the desa's")
    village_code: str | None = None
    services: list[Need]
    hours: Hours
    time_zone: TimeZone | None = Field(description="The agency's, or the province's; null: none known")
    phone: str | None
    whatsapp: str | None
    email: str | None
    address: str | None
    active: bool

    @classmethod
    def of(cls, agency: Agency) -> AgencyOut:
        """The directory entry, with the time zone in force even where it comes from the province."""
        return cls(**{**AgencyIn.of(agency).model_dump(), "time_zone": agency.time_zone,
                      "district_code": agency.district_code})


def _domain_error(at: Loc, error: InvalidAgencyError) -> dict[str, Any]:
    """A domain rule's rejection as a validation error item, worded in the reader's language on the way out."""
    return {"type": "value_error", "loc": at, "msg": f"Value error, {error.en}", "ctx": {"error": error}}


def _agencies(entries: Sequence[AgencyIn | Any], at: Loc) -> list[Agency]:
    """The domain agencies of every entry (entries not yet parsed are parsed with ``AgencyIn``), or a 422 that
    names each bad entry by its index and the path of each bad field. All or nothing: nothing is stored unless
    every entry is valid."""
    agencies: list[Agency] = []
    errors: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, raw in enumerate(entries):
        where = (*at, index)
        try:
            entry = raw if isinstance(raw, AgencyIn) else AgencyIn.model_validate(raw)
        except ValidationError as error:
            errors += [{**item, "loc": (*where, *item["loc"])} for item in error.errors()]
            continue
        if entry.agency_id in seen:
            errors.append(_domain_error(where, InvalidAgencyError(
                "agency_id", "appears more than once in this request", "Muncul lebih dari sekali dalam permintaan ini.",
            )))
            continue
        seen.add(entry.agency_id)
        try:
            agencies.append(entry.to_domain())
        except InvalidAgencyError as error:
            errors.append(_domain_error(where, error))
    if errors:
        raise RequestValidationError(errors)
    return agencies
