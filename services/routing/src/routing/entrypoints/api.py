"""Routing's HTTP API for the agency directory: one agency at a time, the whole directory as JSON, and the
directory as a YAML file (export and import, in the format of the demo directory).

Anyone signed in reads the directory; a province admin changes it (``routing.domain.access``, and row-level
security, 0002). An agency is never deleted, as referrals name it: ``DELETE`` takes it out of service.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from routing.directory_data import UnsafeYamlError, dump_directory_yaml, load_directory_yaml
from routing.domain.access import DIRECTORY_EDITORS, DIRECTORY_READERS
from routing.domain.agencies import WEEKDAYS, Agency, AgencyLevel, InvalidAgencyError, OpeningHours, TimeZone
from routing.service_layer import handlers
from shared.contracts.vocabulary import AgencyType, Need
from shared.dependencies import CurrentUnitOfWork, require_roles
from shared.validation_messages import DomainValidationError, Loc, LocalizedValueError

router = APIRouter(prefix="/v1")

AGENCY_ID_PATTERN = r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$"
PROVINCE_PATTERN = r"^\d{2}$"
REGENCY_PATTERN = r"^\d{2}\.\d{2}$"
PHONE_PATTERN = r"^\+?[0-9][0-9 ()\-]{2,31}$"
TIME_RANGE_PATTERN = r"^(?:[01]\d|2[0-3]):[0-5]\d-(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$"
MAX_AGENCIES_PER_PUT = 5000
YAML_MEDIA_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"})

DIRECTORY_EDITOR = [Depends(require_roles(*DIRECTORY_EDITORS))]
DIRECTORY_READER = [Depends(require_roles(*DIRECTORY_READERS))]
AgencyId = Annotated[str, Path(pattern=AGENCY_ID_PATTERN, max_length=100, examples=["uptd-ppa-62.13"])]
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
    upserted: int


class AgencyOut(BaseModel):
    agency_id: str
    name: str
    alternate_name: str | None
    agency_type: AgencyType
    level: AgencyLevel
    province_code: str | None
    regency_code: str | None
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
        return cls(**{**AgencyIn.of(agency).model_dump(), "time_zone": agency.time_zone})


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


# -- the whole directory -----------------------------------------------------------------------------------------


@router.put("/directory", response_model=DirectoryUpdated, tags=["directory"],
            summary="Insert or replace agencies by agency_id (idempotent)", dependencies=DIRECTORY_EDITOR)
async def put_directory(body: DirectoryIn, uow: CurrentUnitOfWork) -> DirectoryUpdated:
    """Each agency of the body is inserted, or replaces the one with its id; agencies not named stay as they are.
    Every entry is checked first; nothing is stored unless all are valid."""
    agencies = _agencies(body.agencies, ("body", "agencies"))
    return DirectoryUpdated(upserted=await handlers.update_directory(agencies, uow))


@router.get(
    "/directory/export", response_class=Response, tags=["directory"], dependencies=DIRECTORY_READER,
    summary="The directory as a YAML file",
    # The file is YAML whose data is a directory, as PUT /v1/directory/import takes it back.
    responses={200: {"description": "The directory file", "content": {"application/yaml": {"schema": {
        "$ref": "#/components/schemas/DirectoryIn"}}}}},
)
async def export_directory(
    uow: CurrentUnitOfWork,
    province: Annotated[str | None, Query(pattern=PROVINCE_PATTERN, examples=["62"],
                                          description="Only the agencies of this province")] = None,
) -> Response:
    """The directory (or one province's agencies) in the format of the demo directory, which
    `PUT /v1/directory/import` takes back."""
    agencies = await handlers.list_agencies(uow, province_code=province)
    text = dump_directory_yaml([AgencyIn.of(agency).file_entry() for agency in agencies])
    filename = f"sinergi-directory{'-' + province if province else ''}.yaml"
    return Response(text, media_type="application/yaml",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


IMPORT_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {"application/yaml": {"schema": {
    "$ref": "#/components/schemas/DirectoryIn"}}}}}


@router.put(
    "/directory/import", response_model=DirectoryUpdated, tags=["directory"], dependencies=DIRECTORY_EDITOR,
    summary="Insert or replace the agencies of a YAML directory file", openapi_extra=IMPORT_BODY,
    responses={415: {"description": "Not an application/yaml body"},
               422: {"description": "Not YAML, or entries that are not valid (each named by index and field)"}},
)
async def import_directory(request: Request, uow: CurrentUnitOfWork) -> DirectoryUpdated:
    """A directory file (as `GET /v1/directory/export` gives, or the demo directory): plain YAML, without
    aliases or tags. Each entry is checked with the model of `PUT /v1/directory`; nothing is stored unless all are
    valid. Agencies the file does not name stay as they are."""
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type not in YAML_MEDIA_TYPES:
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, "send the directory as application/yaml")
    document = _parse_yaml(await request.body())
    try:
        entries = _DirectoryFile.model_validate(document).agencies
    except ValidationError as error:
        raise RequestValidationError([{**item, "loc": ("body", *item["loc"])} for item in error.errors()]) from None
    agencies = _agencies(entries, ("body", "agencies"))
    return DirectoryUpdated(upserted=await handlers.update_directory(agencies, uow))


def _parse_yaml(body: bytes) -> Any:
    """The body's YAML data, or a 422 that says where it stops being YAML (never what it says there)."""
    try:
        return load_directory_yaml(body.decode("utf-8"))
    except UnicodeDecodeError:
        reason = ("is not UTF-8 text", "bukan teks UTF-8")
    except RecursionError:
        reason = ("is nested too deep", "bersarang terlalu dalam")
    except UnsafeYamlError:
        reason = ("uses YAML aliases, which are not accepted", "memakai alias YAML, yang tidak diterima")
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        en, id_ = (f" (line {mark.line + 1}, column {mark.column + 1})",
                   f" (baris {mark.line + 1}, kolom {mark.column + 1})") if mark else ("", "")
        reason = (f"is not plain YAML{en}", f"bukan YAML biasa{id_}")
    except yaml.YAMLError:
        reason = ("is not plain YAML", "bukan YAML biasa")
    raise DomainValidationError.at("body", LocalizedValueError(
        "yaml_invalid", en=f"The body {reason[0]}.", id=f"Isi permintaan {reason[1]}."))


# -- one agency ----------------------------------------------------------------------------------------------


@router.get("/agencies", response_model=list[AgencyOut], tags=["directory"], dependencies=DIRECTORY_READER)
async def get_agencies(
    uow: CurrentUnitOfWork,
    province_code: Annotated[str | None, Query(pattern=PROVINCE_PATTERN, examples=["62"])] = None,
    regency_code: Annotated[str | None, Query(pattern=REGENCY_PATTERN, examples=["62.13"])] = None,
    agency_type: AgencyType | None = None,
    service: Annotated[Need | None, Query(description="Agencies that provide this service")] = None,
) -> list[AgencyOut]:
    """The directory, active and inactive agencies alike, or the part of it that matches every filter given."""
    agencies = await handlers.list_agencies(uow, province_code=province_code, regency_code=regency_code,
                                            agency_type=agency_type, service=service)
    return [AgencyOut.of(agency) for agency in agencies]


@router.get("/agencies/{agency_id}", response_model=AgencyOut, tags=["directory"], dependencies=DIRECTORY_READER,
            responses=NOT_FOUND)
async def get_agency(agency_id: AgencyId, uow: CurrentUnitOfWork) -> AgencyOut:
    agency = await handlers.get_agency(uow, agency_id)
    if agency is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "agency not found")
    return AgencyOut.of(agency)


@router.put(
    "/agencies/{agency_id}", response_model=AgencyOut, tags=["directory"], dependencies=DIRECTORY_EDITOR,
    summary="Create or replace one agency",
    responses={200: {"description": "Replaced"}, 201: {"description": "Created", "model": AgencyOut}},
)
async def put_agency(agency_id: AgencyId, body: AgencyIn, response: Response, uow: CurrentUnitOfWork) -> AgencyOut:
    """The body replaces the whole entry (a field left out takes its default). Its `agency_id` must be the
    path's."""
    if body.agency_id != agency_id:
        raise RequestValidationError([_domain_error(("body",), InvalidAgencyError(
            "agency_id", "must be the agency id of the path", "Harus sama dengan agency id pada path.",
        ))])
    try:
        agency = body.to_domain()
    except InvalidAgencyError as error:
        raise RequestValidationError([_domain_error(("body",), error)]) from None
    if await handlers.put_agency(agency, uow):
        response.status_code = status.HTTP_201_CREATED
    return AgencyOut.of(agency)


@router.delete("/agencies/{agency_id}", response_model=AgencyOut, tags=["directory"],
               dependencies=DIRECTORY_EDITOR, summary="Take an agency out of service", responses=NOT_FOUND)
async def deactivate_agency(agency_id: AgencyId, uow: CurrentUnitOfWork) -> AgencyOut:
    """Marks the agency inactive, so that no new case is referred to it; it is never deleted, as referrals name
    it. Answers the agency, now with `active` false. Doing it again changes nothing."""
    agency = await handlers.deactivate_agency(agency_id, uow)
    if agency is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "agency not found")
    return AgencyOut.of(agency)
