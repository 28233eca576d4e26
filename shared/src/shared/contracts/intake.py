"""Events produced by intake.

They carry only what routing and statistics need: no name, contact, address, narrative or other free text. The
region goes down to the district (kecamatan) and village (desa/kelurahan), as Kemendagri codes only, never their
names or an address; with a victim's age and sex a village can point at one family, so consumers show them only
to whom ``shared.contracts.visibility`` allows and count them only where the cells are large enough. An
authorised agency reads the details through intake's API.
"""

from datetime import date
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.contracts.base import Event
from shared.contracts.topics import CASES
from shared.contracts.vocabulary import (
    AgeGroup,
    AgencyType,
    Channel,
    ConsentGiver,
    EducationLevel,
    LinkReason,
    Nationality,
    Need,
    PlaceCategory,
    Priority,
    Relationship,
    Sex,
    TriageReason,
    ViolenceType,
)

# Added after version 1 was published: optional, so older events (and older producers) still read.
DISTRICT = "Kemendagri district (kecamatan) code, e.g. `62.13.01`; None when the report did not name one."
VILLAGE = "Kemendagri village (desa/kelurahan) code, e.g. `62.13.01.2003`; None when the report did not name one."


class VictimFacts(BaseModel):
    """One victim, as statistics count them (SIMFONI-PPA)."""

    model_config = ConfigDict(frozen=True)

    sex: Sex
    age_group: AgeGroup
    has_disability: bool | None = Field(default=None, description="None when not known.")
    education: EducationLevel = EducationLevel.TIDAK_DIKETAHUI
    nationality: Nationality = Nationality.WNI


class PerpetratorFacts(BaseModel):
    model_config = ConfigDict(frozen=True)

    sex: Sex | None = Field(default=None, description="None when not known.")
    age_group: AgeGroup = AgeGroup.UNKNOWN
    relationship: Relationship


class Consent(BaseModel):
    """Which kinds of agency the victim (or a guardian) allows the case to be shared with. Case managers
    (UPTD PPA, Dinas PPA) always receive it: someone has to handle the report."""

    model_config = ConfigDict(frozen=True)

    given_by: ConsentGiver
    agency_types: tuple[AgencyType, ...]


class CaseFacts(BaseModel):
    """The non-personal facts of a case, as ``case.reported`` and ``case.updated`` carry them."""

    model_config = ConfigDict(frozen=True)

    case_number: str = Field(description="Human-readable case number, unique per regency and year.")
    province_code: str = Field(description="Kemendagri province code, e.g. `62`.")
    regency_code: str = Field(description="Kemendagri regency/city code, e.g. `62.13`.")
    district_code: str | None = Field(default=None, description=DISTRICT)
    village_code: str | None = Field(default=None, description=VILLAGE)
    violence_types: tuple[ViolenceType, ...] = Field(min_length=1)
    child_in_conflict_with_law: bool = Field(description="ABH: a child in conflict with the law.")
    place: PlaceCategory
    incident_date: date | None = Field(description="None when unknown; see `incident_date_precision`.")
    incident_date_precision: Literal["day", "month", "year", "unknown"]
    victims: tuple[VictimFacts, ...] = Field(min_length=1)
    perpetrators: tuple[PerpetratorFacts, ...] = ()
    needs: tuple[Need, ...] = ()
    consent: Consent
    priority: Priority = Field(description="Triage: P1 immediate danger, P2 urgent, P3 standard.")
    triage_reasons: tuple[TriageReason, ...] = Field(min_length=1, description="Why triage chose the priority.")
    channel: Channel
    reported_at: AwareDatetime

    @property
    def victim_sex(self) -> Sex:
        """The first victim's sex: the one a single-victim statistic counts."""
        return self.victims[0].sex

    @property
    def victim_age_group(self) -> AgeGroup:
        return self.victims[0].age_group

    @property
    def has_child_victim(self) -> bool:
        return any(victim.age_group.is_child for victim in self.victims)


class CaseReported(Event, CaseFacts):
    """A report was accepted and a case opened."""

    topic: ClassVar[str] = CASES.name

    event_type: Literal["case.reported"] = "case.reported"
    schema_version: Literal[1] = 1
    producer: Literal["intake"] = "intake"


class CaseUpdated(Event, CaseFacts):
    """Information was added to a case or a field corrected. Carries the whole of the case's facts after the
    change, so a consumer needs no earlier event to know the current state."""

    topic: ClassVar[str] = CASES.name

    event_type: Literal["case.updated"] = "case.updated"
    schema_version: Literal[1] = 1
    producer: Literal["intake"] = "intake"

    update_id: UUID
    kind: Literal["information_added", "corrected"]
    changed_fields: tuple[str, ...] = Field(
        description="Paths of the fields that changed (e.g. `violence_types`, `victims`); names only, no values."
    )
    updated_by: str = Field(description="The `sub` of the token that made the change.")


class CaseClosed(Event):
    """A case was closed: handled, a duplicate of another, or withdrawn."""

    topic: ClassVar[str] = CASES.name

    event_type: Literal["case.closed"] = "case.closed"
    schema_version: Literal[1] = 1
    producer: Literal["intake"] = "intake"

    case_number: str
    province_code: str
    regency_code: str
    district_code: str | None = Field(default=None, description=DISTRICT)
    village_code: str | None = Field(default=None, description=VILLAGE)
    reason: Literal["handled", "duplicate", "withdrawn", "referred_elsewhere", "unreachable"]
    duplicate_of: UUID | None = Field(default=None, description="The case this one duplicates, for `duplicate`.")
    closed_by: str = Field(description="The `sub` of the token that closed it.")


class CaseReopened(Event):
    """A closed case was opened again (the victim came back, the same perpetrator again, a closure by mistake).
    Routing refers it again by the rules, the lead agency first; statistics keep counting one case."""

    topic: ClassVar[str] = CASES.name

    event_type: Literal["case.reopened"] = "case.reopened"
    schema_version: Literal[1] = 1
    producer: Literal["intake"] = "intake"

    case_number: str
    province_code: str
    regency_code: str
    district_code: str | None = Field(default=None, description=DISTRICT)
    village_code: str | None = Field(default=None, description=VILLAGE)
    reason: Literal["victim_returned", "repeat_perpetrator", "closed_by_mistake", "new_information"] = Field(
        description="Why, as a category; any words the person added stay in intake as an encrypted note."
    )
    reopened_by: str = Field(description="The `sub` of the token that reopened it.")


class CaseLinked(Event):
    """A new report looks like one already held: same victim, same contact, or same place and time. Both cases
    stay open; the agencies handling them decide."""

    topic: ClassVar[str] = CASES.name

    event_type: Literal["case.linked"] = "case.linked"
    schema_version: Literal[1] = 1
    producer: Literal["intake"] = "intake"

    linked_case_id: UUID = Field(description="The earlier case this one is linked to.")
    case_number: str
    linked_case_number: str
    reasons: tuple[LinkReason, ...] = Field(min_length=1)
