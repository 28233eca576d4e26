"""Routing's HTTP API for the rules: the national default (``/v1/rules``), which only a national admin changes,
and each province's own rule set (``/v1/provinces/{province_code}/rules``), which only that province's admin
changes. A province without its own rules routes by the national default."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, Response
from pydantic import ValidationError
from yaml import YAMLError

from routing.domain.access import RULE_EDITORS
from routing.domain.rule_preview import unknown_regions
from routing.domain.rules import NATIONAL_SCOPE, RuleSet
from routing.entrypoints.refusals import outside_province
from routing.service_layer import rules as rule_cases
from shared.auth import Principal, Role
from shared.dependencies import CurrentUnitOfWork, require_roles
from shared.http_errors import LocalizedHTTPError, edge_error, refused, refused_by
from shared.validation_messages import DomainValidationError

router = APIRouter(prefix="/v1")

RuleEditor = Annotated[Principal, Depends(require_roles(*RULE_EDITORS))]
RuleReader = Annotated[Principal, Depends(require_roles(*(r for r in Role if r is not Role.PUBLIC)))]
Province = Annotated[str, Path(pattern=r"^\d{2}$", examples=["62"])]
SCOPE_HEADER = "X-Sinergi-Rule-Scope"

RULES_YAML: dict[str, Any] = {"application/yaml": {"schema": RuleSet.model_json_schema()}}
YAML_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": RULES_YAML}}
IN_FORCE: dict[int | str, dict[str, Any]] = {200: {"content": RULES_YAML, "description": (
    f"The rule set in force; the `{SCOPE_HEADER}` header says whose: `national` or the province's code")}}
PUT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": RULES_YAML, "description": "The rule set stored, now in force"},
    403: {"description": "Not your province's rules (the national default: only a national admin)"},
    409: {"description": "The version is not the next one"}, 422: {"description": "Bad rules"},
}


def _yaml(rules: RuleSet, scope: str) -> PlainTextResponse:
    return PlainTextResponse(rules.to_yaml(), media_type="application/yaml", headers={SCOPE_HEADER: scope})


@router.get("/rules", response_class=Response, tags=["rules"], responses=IN_FORCE)
async def get_rules(_reader: RuleReader, uow: CurrentUnitOfWork) -> PlainTextResponse:
    """The national default rules, as YAML (the format `PUT /v1/rules` takes)."""
    return _yaml(*await rule_cases.rules_in_force(uow))


@router.get("/provinces/{province_code}/rules", response_class=Response, tags=["rules"], responses=IN_FORCE)
async def get_province_rules(province_code: Province, _reader: RuleReader, uow: CurrentUnitOfWork) -> PlainTextResponse:
    """The rules the province's cases are routed by: its own, else the national default."""
    return _yaml(*await rule_cases.rules_in_force(uow, province_code))


@router.put("/rules", response_class=Response, tags=["rules"], openapi_extra=YAML_BODY, responses=PUT_RESPONSES)
async def put_rules(
    request: Request, principal: RuleEditor, uow: CurrentUnitOfWork
) -> PlainTextResponse:
    """Replace the national default with a new version (YAML; `version` one above the default in force); a
    national admin only. Takes effect for the next case of every province without rules of its own, on every
    routing instance, without a restart; earlier referrals keep the version they were made under."""
    return await _store(request, principal, uow, NATIONAL_SCOPE)


@router.put("/provinces/{province_code}/rules", response_class=Response, tags=["rules"], openapi_extra=YAML_BODY,
            responses=PUT_RESPONSES)
async def put_province_rules(
    province_code: Province, request: Request, principal: RuleEditor, uow: CurrentUnitOfWork,
) -> PlainTextResponse:
    """Give the province rules of its own, or a new version of them (`version` one above the rules in force
    there, the national default's until it has its own); the province's admin only."""
    return await _store(request, principal, uow, province_code)


async def _store(
    request: Request, principal: Principal, uow: CurrentUnitOfWork, scope: str
) -> PlainTextResponse:
    text = (await request.body()).decode("utf-8", errors="replace")
    try:
        rules = RuleSet.from_yaml(text)
    except YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        item = edge_error("yaml_invalid", line=mark.line + 1 if mark is not None else None)
        raise LocalizedHTTPError(status.HTTP_422_UNPROCESSABLE_CONTENT, [item]) from None
    except ValidationError as error:  # answered like any other 422: localized, never echoing the input
        raise RequestValidationError([{**item, "loc": ("body", *item["loc"])} for item in error.errors()]) from None
    if unknown := unknown_regions(rules):  # a rule that would silently never hold
        raise DomainValidationError((("body", *loc), problem) for loc, problem in unknown)
    try:
        stored = await rule_cases.replace_rules(uow, rules, by=principal, scope=scope)
    except rule_cases.OutsideProvinceError:
        raise refused_by(status.HTTP_403_FORBIDDEN, outside_province(), ("body",)) from None
    except rule_cases.VersionConflictError as error:
        raise refused(status.HTTP_409_CONFLICT, "rules_version_conflict", ("body", "version"),
                      in_force=error.in_force, next_version=error.in_force + 1) from None
    return _yaml(stored, scope)
