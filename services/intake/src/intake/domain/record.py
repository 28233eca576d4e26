"""The record of a report, compatible with SIMFONI-PPA, with the rules every field follows.

One pydantic model is both the API's request body and the domain record, so a rule is written once. Fields
that hold personal data carry ``personal(kind)`` in their metadata: ``split_personal`` takes them out (to be
encrypted one by one, under their path) and ``join_personal`` puts them back. What remains is the record's
non-personal facts, which intake stores in plain and its events carry in part.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal, Self, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from intake.domain.access import PersonalField
from shared.contracts.vocabulary import (
    CASE_MANAGERS,
    AgeGroup,
    AgencyType,
    Channel,
    ConsentGiver,
    EducationLevel,
    Nationality,
    Need,
    PlaceCategory,
    Relationship,
    ReporterRelation,
    Sex,
    ViolenceType,
)
from shared.regions import district_belongs_to, load_regions, village_belongs_to
from shared.validation_messages import LocalizedValueError

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _written_as_a_day(value: object) -> object:
    """A day only as written YYYY-MM-DD (or a date): pydantic would also read a number as a Unix timestamp
    (1262304000 as 2010-01-01), a day nobody wrote."""
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DAY.fullmatch(value)):
        return value
    raise PydanticCustomError("date_parsing", "Input should be a valid date in the format YYYY-MM-DD")


# Also: the field below named ``date`` would hide the type in its class.
Day = Annotated[date, BeforeValidator(_written_as_a_day)]

PERSONAL = "x-personal"  # the metadata key naming a field's kind of personal data (also in the OpenAPI schema)

MAX_AGE = 120


def personal(kind: PersonalField) -> dict[str, Any]:
    return {PERSONAL: kind.value}


T = TypeVar("T")


def _unique(values: list[T]) -> list[T]:
    return list(dict.fromkeys(values))


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class IncidentDate(_Record):
    """When it happened, as precisely as the reporter knows: a day, a month (any day of it), a year, or not at
    all."""

    date: Day | None = Field(default=None, description="For `month` any day of that month; for `year` any day")
    precision: Literal["day", "month", "year", "unknown"] = "day"

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.precision == "unknown" and self.date is not None:
            raise LocalizedValueError(
                "date_with_unknown_precision",
                en="Leave the date empty when it is unknown.",
                id="Kosongkan tanggal bila tidak diketahui.",
                field="date",
            )
        if self.precision != "unknown" and self.date is None:
            raise LocalizedValueError(
                "missing_date",
                en="Give the date, or set precision to unknown.",
                id="Isi tanggal, atau pilih presisi tidak diketahui.",
                field="date",
            )
        return self

    def normalised(self) -> IncidentDate:
        """The date reduced to its precision (1 March for `month`, 1 January for `year`)."""
        if self.date is None or self.precision == "day":
            return self
        day = self.date.replace(day=1) if self.precision == "month" else self.date.replace(month=1, day=1)
        return IncidentDate(date=day, precision=self.precision)


class Location(_Record):
    province_code: str = Field(pattern=r"^\d{2}$", examples=["62"], description="Kemendagri province code")
    regency_code: str = Field(pattern=r"^\d{2}\.\d{2}$", examples=["62.13"], description="Kemendagri code")
    district_code: str | None = Field(
        default=None, pattern=r"^\d{2}\.\d{2}\.\d{2}$", examples=["62.13.01"],
        description="Kemendagri kecamatan code, in the regency given",
    )
    village_code: str | None = Field(
        default=None, pattern=r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$", examples=["62.13.01.2003"],
        description="Kemendagri desa/kelurahan code, in the district given",
    )
    place: PlaceCategory
    address: str | None = Field(
        default=None, min_length=1, max_length=500, json_schema_extra=personal(PersonalField.ADDRESS)
    )

    @model_validator(mode="after")
    def _codes_exist_and_nest(self) -> Self:
        regions = load_regions()
        if not regions.is_province(self.province_code):
            raise LocalizedValueError(
                "unknown_province", en="Not a Kemendagri province code.", id="Bukan kode provinsi Kemendagri.",
                field="province_code",
            )
        if not regions.is_regency(self.regency_code):
            raise LocalizedValueError(
                "unknown_regency", en="Not a Kemendagri regency/city code.",
                id="Bukan kode kabupaten/kota Kemendagri.", field="regency_code",
            )
        province = regions.province_of(self.regency_code)
        if province is None or province.code != self.province_code:
            raise LocalizedValueError(
                "regency_outside_province", en="This regency/city is not in the province given.",
                id="Kabupaten/kota ini tidak berada di provinsi yang dipilih.", field="regency_code",
            )
        # A code under another parent is refused as such, whether or not it exists: that is the clearer reason.
        if self.district_code is not None and not district_belongs_to(self.district_code, self.regency_code):
            raise LocalizedValueError(
                "district_outside_regency", en="This district is not in the regency/city given.",
                id="Kecamatan ini tidak berada di kabupaten/kota yang dipilih.", field="district_code",
            )
        if self.district_code is not None and not regions.is_district(self.district_code):
            raise LocalizedValueError(
                "unknown_district", en="Not a Kemendagri district (kecamatan) code.",
                id="Bukan kode kecamatan Kemendagri.", field="district_code",
            )
        if self.village_code is not None and (
            self.district_code is None or not village_belongs_to(self.village_code, self.district_code)
        ):
            raise LocalizedValueError(
                "village_outside_district", en="A village needs the district it is in.",
                id="Desa/kelurahan harus berada di kecamatan yang dipilih.", field="village_code",
            )
        if self.village_code is not None and not regions.is_village(self.village_code):
            raise LocalizedValueError(
                "unknown_village", en="Not a Kemendagri village (desa/kelurahan) code.",
                id="Bukan kode desa/kelurahan Kemendagri.", field="village_code",
            )
        return self


class Victim(_Record):
    name: str | None = Field(
        default=None, min_length=1, max_length=200, json_schema_extra=personal(PersonalField.VICTIM_IDENTITY)
    )
    sex: Sex
    age: int | None = Field(default=None, ge=0, le=MAX_AGE, description="Age in years, if known")
    birth_date: Day | None = Field(default=None, json_schema_extra=personal(PersonalField.VICTIM_IDENTITY))
    has_disability: bool | None = Field(default=None, description="Penyandang disabilitas; empty when unknown")
    education: EducationLevel = EducationLevel.TIDAK_DIKETAHUI
    nationality: Nationality = Nationality.WNI

    def age_on(self, day: date) -> int | None:
        if self.age is not None:
            return self.age
        if self.birth_date is None:
            return None
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday

    def age_group_on(self, day: date) -> AgeGroup:
        return AgeGroup.of_age(self.age_on(day))


class Perpetrator(_Record):
    name: str | None = Field(
        default=None, min_length=1, max_length=200, json_schema_extra=personal(PersonalField.PERPETRATOR_IDENTITY)
    )
    sex: Sex | None = Field(default=None, description="Empty when unknown")
    age: int | None = Field(default=None, ge=0, le=MAX_AGE)
    relationship: Relationship = Field(description="Hubungan dengan korban")


class ConsentIn(_Record):
    """Which kinds of agency the victim or guardian allows the case to be shared with. The case managers (UPTD
    PPA, Dinas PPA) always are; when nobody has been asked yet (a public report) only they are."""

    given_by: ConsentGiver = ConsentGiver.BELUM_DITANYAKAN
    agency_types: list[AgencyType] = Field(default_factory=list)

    @model_validator(mode="after")
    def _asked_before_sharing(self) -> Self:
        if self.given_by == ConsentGiver.BELUM_DITANYAKAN and set(self.agency_types) - CASE_MANAGERS:
            raise LocalizedValueError(
                "consent_not_given", en="Sharing beyond the case manager needs the victim's or guardian's consent.",
                id="Berbagi selain kepada pengelola kasus memerlukan persetujuan korban atau wali.",
                field="agency_types",
            )
        return self

    def shared_with(self) -> tuple[AgencyType, ...]:
        return tuple(sorted(CASE_MANAGERS | set(self.agency_types)))


class ReporterIn(_Record):
    anonymous: bool = Field(default=False, description="An anonymous reporter leaves no name and no contact")
    relation: ReporterRelation = Field(description="Hubungan pelapor dengan korban")
    name: str | None = Field(
        default=None, min_length=1, max_length=200, json_schema_extra=personal(PersonalField.REPORTER_IDENTITY)
    )
    phone: str | None = Field(
        default=None, pattern=r"^\+?\(?[0-9][0-9 ()\-]{5,31}$",
        json_schema_extra=personal(PersonalField.REPORTER_CONTACT),
    )
    email: str | None = Field(
        default=None, pattern=r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,}$", max_length=320,
        json_schema_extra=personal(PersonalField.REPORTER_CONTACT),
    )

    @model_validator(mode="after")
    def _anonymous_or_reachable(self) -> Self:
        if self.anonymous and (self.name or self.phone or self.email):
            raise LocalizedValueError(
                "anonymous_with_identity", en="An anonymous reporter gives no name, phone or email.",
                id="Pelapor anonim tidak mengisi nama, telepon atau email.", field="anonymous",
            )
        if not self.anonymous and not (self.phone or self.email):
            raise LocalizedValueError(
                "no_contact", en="Give a phone number or email to be called back, or report anonymously.",
                id="Isi nomor telepon atau email agar dapat dihubungi, atau laporkan secara anonim.", field="phone",
            )
        return self


class Report(_Record):
    """What a reporter told us: the whole SIMFONI-PPA record of one incident."""

    incident: IncidentDate
    location: Location
    violence_types: Annotated[list[ViolenceType], AfterValidator(_unique)] = Field(min_length=1)
    child_in_conflict_with_law: bool = Field(default=False, description="ABH: the perpetrator is a child")
    injuries: bool = Field(default=False, description="The victim is injured")
    ongoing_danger: bool = Field(default=False, description="The victim is still in danger")
    victims: list[Victim] = Field(min_length=1, max_length=50)
    perpetrators: list[Perpetrator] = Field(default_factory=list, max_length=50)
    needs: Annotated[list[Need], AfterValidator(_unique)] = Field(default_factory=list)
    consent: ConsentIn = Field(default_factory=ConsentIn)
    reporter: ReporterIn
    narrative: str = Field(
        min_length=1, max_length=20_000, description="What happened",
        json_schema_extra=personal(PersonalField.NARRATIVE),
    )
    channel: Channel | None = Field(
        default=None, description="Set by intake for the public form and message gateways; staff give theirs"
    )

    @model_validator(mode="after")
    def _dates_and_ages(self) -> Self:
        today = date.today()  # noqa: DTZ011 - a calendar date in the reporter's terms, no time of day
        incident = self.incident.normalised()  # "this month" is fine whatever day was typed
        if incident.date is not None and incident.date > today:
            raise LocalizedValueError(
                "date_in_future", en="The incident cannot be in the future.",
                id="Tanggal kejadian tidak boleh di masa depan.", field="incident.date",
            )
        for index, victim in enumerate(self.victims):
            _check_birth_date(victim, index, today)
        if self.child_in_conflict_with_law and not any(
            p.age is None or p.age < 18 for p in self.perpetrators
        ):
            raise LocalizedValueError(
                "abh_without_child", en="ABH needs a perpetrator who is a child (under 18) or of unknown age.",
                id="ABH memerlukan pelaku anak (di bawah 18 tahun) atau yang usianya tidak diketahui.",
                field="child_in_conflict_with_law",
            )
        return self

    def age_groups(self, on: date) -> list[AgeGroup]:
        return [victim.age_group_on(on) for victim in self.victims]


def _check_birth_date(victim: Victim, index: int, today: date) -> None:
    if victim.birth_date is None:
        return
    if victim.birth_date > today:
        raise LocalizedValueError(
            "birth_date_in_future", en="A birth date cannot be in the future.",
            id="Tanggal lahir tidak boleh di masa depan.", field=f"victims.{index}.birth_date",
        )
    derived = Victim(sex=victim.sex, birth_date=victim.birth_date).age_on(today)
    if derived is not None and derived > MAX_AGE:
        raise LocalizedValueError(
            "birth_date_too_early", en=f"An age above {MAX_AGE} years is not plausible.",
            id=f"Usia di atas {MAX_AGE} tahun tidak masuk akal.", field=f"victims.{index}.birth_date",
        )
    if victim.age is not None and derived is not None and abs(victim.age - derived) > 1:
        raise LocalizedValueError(
            "age_disagrees_with_birth_date", en="The age does not match the birth date.",
            id="Usia tidak sesuai dengan tanggal lahir.", field=f"victims.{index}.age",
        )


# -- personal fields out and back in ----------------------------------------------------------------------


def split_personal(report: Report) -> tuple[dict[str, Any], dict[str, tuple[PersonalField, str]]]:
    """The record without its personal fields (JSON-ready), and the personal fields by path with their kind,
    as text."""
    facts = report.model_dump(mode="json")
    found: dict[str, tuple[PersonalField, str]] = {}
    _take(type(report), facts, "", found)
    return facts, found


def _take(
    model: type[BaseModel], data: dict[str, Any], prefix: str, found: dict[str, tuple[PersonalField, str]]
) -> None:
    for name, info in model.model_fields.items():
        value = data.get(name)
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if PERSONAL in extra:
            data.pop(name, None)
            if value is not None:
                found[f"{prefix}{name}"] = (PersonalField(str(extra[PERSONAL])), str(value))
            continue
        nested = _nested_model(info.annotation)
        if nested is None or value is None:
            continue
        if isinstance(value, list):
            for index, item in enumerate(value):
                _take(nested, item, f"{prefix}{name}.{index}.", found)
        else:
            _take(nested, value, f"{prefix}{name}.", found)


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    for candidate in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def join_personal(facts: dict[str, Any], personal_values: dict[str, str]) -> Report:
    """The whole record from its stored facts and all of its personal fields (the rules of the record need
    them: a reporter's contact, the narrative); for the service applying a change, never for display."""
    data = _deep_copy(facts)
    for path, value in personal_values.items():
        *parents, leaf = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[leaf] = value
    return Report.model_validate(data)


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value


def personal_paths() -> dict[str, PersonalField]:
    """Every personal field's path pattern (``victims.*.name``) and kind: for documentation and tests."""
    found: dict[str, PersonalField] = {}

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, info in model.model_fields.items():
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            if PERSONAL in extra:
                found[f"{prefix}{name}"] = PersonalField(str(extra[PERSONAL]))
                continue
            nested = _nested_model(info.annotation)
            if nested is not None:
                is_list = getattr(info.annotation, "__origin__", None) is list
                walk(nested, f"{prefix}{name}.*." if is_list else f"{prefix}{name}.")

    walk(Report, "")
    return found
