"""Routing's HTTP API for the agency directory: one agency at a time, the whole directory as JSON, and the
directory as a YAML file (export and import, in the format of the demo directory).

Anyone signed in reads the directory; a province admin changes their own province's agencies, a national admin
the national ones (``routing.domain.access``, and row-level security, 0005). An agency is never deleted, as
referrals name it: ``DELETE`` takes it out of service. A bulk write (``PUT /v1/directory``, the import) changes only
the agencies it names; taking any out of service needs ``deactivate=true`` and the digest of its dry run, and a
write that would leave a regency without an active lead agency is refused.
"""

from __future__ import annotations

from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from routing.directory_data import UnsafeYamlError, dump_directory_yaml, load_directory_yaml
from routing.domain.access import DIRECTORY_EDITORS, DIRECTORY_READERS
from routing.domain.agencies import Agency, InvalidAgencyError
from routing.entrypoints.directory_models import (
    AGENCY_ID_PATTERN,
    NOT_FOUND,
    PROVINCE_PATTERN,
    REGENCY_PATTERN,
    YAML_MEDIA_TYPES,
    AgencyIn,
    AgencyOut,
    DirectoryIn,
    DirectoryUpdated,
    Hours,
    _agencies,
    _DirectoryFile,
    _domain_error,
)
from routing.entrypoints.refusals import outside_province, without_lead
from routing.service_layer import handlers
from shared.auth import Principal
from shared.contracts.vocabulary import AgencyType, Need
from shared.dependencies import CurrentUnitOfWork, require_roles
from shared.http_errors import refused, refused_by
from shared.validation_messages import DomainValidationError, LocalizedValueError

router = APIRouter(prefix="/v1")

DirectoryEditor = Annotated[Principal, Depends(require_roles(*DIRECTORY_EDITORS))]
DIRECTORY_READER = [Depends(require_roles(*DIRECTORY_READERS))]
AGENCY_ID = ("path", "agency_id")
AgencyId = Annotated[str, Path(pattern=AGENCY_ID_PATTERN, max_length=100, examples=["uptd-ppa-62.13"])]
__all__ = ["AgencyIn", "AgencyOut", "DirectoryIn", "Hours", "router"]  # the models, as tests and tools import them

# -- the whole directory -----------------------------------------------------------------------------------------

DryRun = Annotated[bool, Query(description="Only say what the write would change (and its digest); store nothing")]
Deactivate = Annotated[bool, Query(description="Allow the write to take active agencies out of service")]
Digest = Annotated[str | None, Query(pattern=r"^[0-9a-f]{64}$",
                                     description="The digest of the dry run that previewed this deactivation")]
BULK_RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {"description": "Agencies outside your province (or national ones, unless you are a national admin)"},
    422: {"description": "Entries that are not valid; a regency left without an active lead agency; or a "
                         "deactivation without `deactivate=true` and the digest of its dry run"},
}


async def _write(
    principal: Principal, agencies: list[Agency], uow: CurrentUnitOfWork, *,
    dry_run: bool, deactivate: bool, digest: str | None,
) -> DirectoryUpdated:
    try:
        change = await handlers.write_directory(principal, agencies, uow, dry_run=dry_run, deactivate=deactivate,
                                                digest=digest)
    except handlers.OutsideProvinceError as error:
        raise refused_by(status.HTTP_403_FORBIDDEN, outside_province(error.agency_ids), ("body", "agencies")) from None
    except handlers.RegencyWithoutLeadError as error:
        raise DomainValidationError.at(("body", "agencies"), without_lead(error.regencies)) from None
    except handlers.DeactivationNotConfirmedError as error:
        count = len(error.change.deactivated)
        raise DomainValidationError.at(("query", error.missing), LocalizedValueError(
            "deactivation_not_previewed",
            en=f"This takes {count} active agencies out of service. Preview it first with dry_run=true, then "
               "send it again with deactivate=true and the digest the preview gave.",
            id=f"Ini menonaktifkan {count} lembaga yang aktif. Tinjau dulu dengan dry_run=true, lalu kirim lagi "
               "dengan deactivate=true dan digest dari tinjauan itu.",
        )) from None
    return DirectoryUpdated.of(change, dry_run=dry_run)


@router.put("/directory", response_model=DirectoryUpdated, tags=["directory"],
            summary="Insert or replace agencies by agency_id (idempotent)", responses=BULK_RESPONSES)
async def put_directory(
    body: DirectoryIn, *, principal: DirectoryEditor, uow: CurrentUnitOfWork,
    dry_run: DryRun = False, deactivate: Deactivate = False, digest: Digest = None,
) -> DirectoryUpdated:
    """Each agency of the body is inserted, or replaces the one with its id; agencies not named stay as they are.
    Every entry is checked first; nothing is stored unless all are valid. Only agencies of your province (or, for
    a national admin, national ones). Taking an active agency out of service needs a dry run first, then
    `deactivate=true` with the digest it gave; a regency is never left without an active lead agency."""
    agencies = _agencies(body.agencies, ("body", "agencies"))
    return await _write(principal, agencies, uow, dry_run=dry_run, deactivate=deactivate, digest=digest)


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
    "/directory/import", response_model=DirectoryUpdated, tags=["directory"],
    summary="Insert or replace the agencies of a YAML directory file", openapi_extra=IMPORT_BODY,
    responses={**BULK_RESPONSES, 415: {"description": "Not an application/yaml body"},
               422: {"description": "Not YAML, or entries that are not valid (each named by index and field); a "
                                    "regency left without an active lead agency; or a deactivation not previewed"}},
)
async def import_directory(
    request: Request, *, principal: DirectoryEditor, uow: CurrentUnitOfWork,
    dry_run: DryRun = False, deactivate: Deactivate = False, digest: Digest = None,
) -> DirectoryUpdated:
    """A directory file (as `GET /v1/directory/export` gives, or the demo directory): plain YAML, without
    aliases or tags. Each entry is checked with the model of `PUT /v1/directory`; nothing is stored unless all are
    valid. Agencies the file does not name stay as they are. As for `PUT /v1/directory`: only your province's
    agencies; a deactivation is previewed (`dry_run=true`) and then applied with `deactivate=true` and the
    preview's digest; no regency is left without an active lead agency."""
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type not in YAML_MEDIA_TYPES:
        raise refused(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, "directory_media_type", ("header", "content-type"))
    document = _parse_yaml(await request.body())
    try:
        entries = _DirectoryFile.model_validate(document).agencies
    except ValidationError as error:
        raise RequestValidationError([{**item, "loc": ("body", *item["loc"])} for item in error.errors()]) from None
    agencies = _agencies(entries, ("body", "agencies"))
    return await _write(principal, agencies, uow, dry_run=dry_run, deactivate=deactivate, digest=digest)


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
        raise refused(status.HTTP_404_NOT_FOUND, "agency_not_found", AGENCY_ID)
    return AgencyOut.of(agency)


OUTSIDE: dict[int | str, dict[str, Any]] = {403: {"description": "An agency outside your province"}}


@router.put(
    "/agencies/{agency_id}", response_model=AgencyOut, tags=["directory"],
    summary="Create or replace one agency",
    responses={200: {"description": "Replaced"}, 201: {"description": "Created", "model": AgencyOut}, **OUTSIDE},
)
async def put_agency(
    agency_id: AgencyId, body: AgencyIn, response: Response, *, principal: DirectoryEditor, uow: CurrentUnitOfWork,
) -> AgencyOut:
    """The body replaces the whole entry (a field left out takes its default). Its `agency_id` must be the
    path's. Only an agency of your province, as it is and as it would be (a national one: a national admin).
    Like an import, refused (422, naming the field: `active`, `agency_type`, `level` or `regency_code`) if it would
    leave its regency without an active lead agency."""
    if body.agency_id != agency_id:
        raise RequestValidationError([_domain_error(("body",), InvalidAgencyError(
            "agency_id", "must be the agency id of the path", "Harus sama dengan agency id pada path.",
        ))])
    try:
        agency = body.to_domain()
    except InvalidAgencyError as error:
        raise RequestValidationError([_domain_error(("body",), error)]) from None
    try:
        created = await handlers.put_agency(principal, agency, uow)
    except handlers.OutsideProvinceError as error:
        raise refused_by(status.HTTP_403_FORBIDDEN, outside_province(error.agency_ids), AGENCY_ID) from None
    except handlers.RegencyWithoutLeadError as error:
        where = ("body", error.field) if error.field else ("body",)
        raise DomainValidationError.at(where, without_lead(error.regencies)) from None
    if created:
        response.status_code = status.HTTP_201_CREATED
    return AgencyOut.of(agency)


@router.delete("/agencies/{agency_id}", response_model=AgencyOut, tags=["directory"],
               summary="Take an agency out of service", responses={**NOT_FOUND, **OUTSIDE})
async def deactivate_agency(
    agency_id: AgencyId, principal: DirectoryEditor, uow: CurrentUnitOfWork
) -> AgencyOut:
    """Marks the agency inactive, so that no new case is referred to it; it is never deleted, as referrals name
    it. Answers the agency, now with `active` false. Doing it again changes nothing. Only an agency of your
    province (a national one: a national admin). Refused (422) for its regency's last active lead agency."""
    try:
        agency = await handlers.deactivate_agency(principal, agency_id, uow)
    except handlers.OutsideProvinceError as error:
        raise refused_by(status.HTTP_403_FORBIDDEN, outside_province(error.agency_ids), AGENCY_ID) from None
    except handlers.RegencyWithoutLeadError as error:
        raise DomainValidationError.at(AGENCY_ID, without_lead(error.regencies)) from None
    if agency is None:
        raise refused(status.HTTP_404_NOT_FOUND, "agency_not_found", AGENCY_ID)
    return AgencyOut.of(agency)
