"""``POST /v1/provinces/{province_code}/rules/preview``: where a sample case would go under a candidate rule set
(or the rules in force), and why, with the directory as it is now. Nothing is stored; the province's admin only,
as the preview is a step of editing the province's rules."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from yaml import YAMLError

from routing.domain.access import RULE_EDITORS
from routing.domain.rule_preview import sample_case, unknown_regions
from routing.domain.rules import ReferralDecision, RuleSet
from routing.entrypoints.directory_models import DISTRICT_PATTERN, REGENCY_PATTERN, VILLAGE_PATTERN
from routing.entrypoints.refusals import outside_province
from routing.service_layer import rules as rule_cases
from shared.auth import Principal
from shared.contracts.vocabulary import AgencyType, Need, Priority, ViolenceType
from shared.dependencies import CurrentUnitOfWork, require_roles
from shared.http_errors import LocalizedHTTPError, edge_error, refused_by
from shared.validation_messages import DomainValidationError, LocalizedValueError

router = APIRouter(prefix="/v1")
RuleEditor = Annotated[Principal, Depends(require_roles(*RULE_EDITORS))]
Province = Annotated[str, Path(pattern=r"^\d{2}$", examples=["62"])]
MAX_RULES_CHARACTERS = 200_000


class SampleCase(BaseModel):
    """A case as the rules see it: its place and its facts; never a person."""

    model_config = ConfigDict(extra="forbid")

    regency_code: str = Field(pattern=REGENCY_PATTERN, examples=["62.13"])
    district_code: str | None = Field(default=None, pattern=DISTRICT_PATTERN, examples=["62.13.01"])
    village_code: str | None = Field(default=None, pattern=VILLAGE_PATTERN, examples=["62.13.01.2003"])
    violence_types: list[ViolenceType] = Field(default_factory=list, max_length=len(ViolenceType))
    child_victim: bool = False
    needs: list[Need] = Field(default_factory=list, max_length=len(Need))
    priority: Priority = Priority.P3
    consented: list[AgencyType] = Field(
        default_factory=list, max_length=len(AgencyType),
        description="The kinds of agency the victim consented to, besides the case managers (always)",
    )


class PreviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: str | None = Field(
        default=None, max_length=MAX_RULES_CHARACTERS,
        description="A candidate rule set as YAML (as `PUT .../rules` takes it); left out: the rules in force",
    )
    case: SampleCase


class PreviewReferral(BaseModel):
    agency_id: str
    agency_name: str
    agency_type: AgencyType
    is_lead: bool
    rule: str
    reason: str = Field(description="Why, in terms an admin can check against the directory (English)")

    @classmethod
    def of(cls, decision: ReferralDecision) -> PreviewReferral:
        return cls(agency_id=decision.agency.agency_id, agency_name=decision.agency.name,
                   agency_type=decision.agency.agency_type, is_lead=decision.is_lead, rule=decision.rule,
                   reason=decision.reason)


class PreviewOut(BaseModel):
    version: int = Field(description="The version of the rule set previewed")
    referrals: list[PreviewReferral] = Field(description="The lead agency first, then the supporting referrals")


RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {"description": "Not your province's rules"},
    422: {"description": "Bad rules (each field named), or a sample case outside the province"},
}


def _candidate(text: str | None) -> RuleSet | None:
    if text is None:
        return None
    try:
        rules = RuleSet.from_yaml(text)
    except YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        item = edge_error("yaml_invalid", ("body", "rules"), line=mark.line + 1 if mark is not None else None)
        raise LocalizedHTTPError(status.HTTP_422_UNPROCESSABLE_CONTENT, [item]) from None
    except ValidationError as error:  # localized like any other 422, never echoing the input
        raise RequestValidationError(
            [{**item, "loc": ("body", "rules", *item["loc"])} for item in error.errors()]) from None
    unknown = unknown_regions(rules)
    if unknown:
        raise DomainValidationError((("body", "rules", *loc), problem) for loc, problem in unknown)
    return rules


@router.post("/provinces/{province_code}/rules/preview", tags=["rules"], responses=RESPONSES)
async def preview_province_rules(
    province_code: Province, body: PreviewIn, principal: RuleEditor, uow: CurrentUnitOfWork,
) -> PreviewOut:
    """Where the sample case would go under the candidate rules (its `version` is not checked: nothing is
    stored), with the directory as it is now: the lead agency, then each supporting referral, with the rule and
    the reason. A preview refers nobody and changes nothing."""
    candidate = _candidate(body.rules)
    sample = body.case
    try:
        case = sample_case(
            province_code, sample.regency_code, district_code=sample.district_code, village_code=sample.village_code,
            violence_types=tuple(sample.violence_types), child_victim=sample.child_victim, needs=tuple(sample.needs),
            priority=sample.priority, consented=frozenset(sample.consented),
        )
    except LocalizedValueError as error:
        raise DomainValidationError.at(("body", "case"), error) from None
    try:
        rules, decisions = await rule_cases.preview(uow, candidate, case, by=principal, scope=province_code)
    except rule_cases.OutsideProvinceError:
        raise refused_by(status.HTTP_403_FORBIDDEN, outside_province(), ("path", "province_code")) from None
    return PreviewOut(version=rules.version, referrals=[PreviewReferral.of(decision) for decision in decisions])
