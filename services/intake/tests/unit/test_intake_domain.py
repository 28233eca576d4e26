from datetime import UTC, datetime
from uuid import uuid4

import pytest

from intake.domain.model import Case, InvalidReportError, Report, Victim, case_number
from shared.contracts import AgeGroup, Channel, Sex, ViolenceType


def report(**changes: object) -> Report:
    fields: dict[str, object] = {
        "regency_code": "64.74",
        "violence_types": (ViolenceType.SEKSUAL, ViolenceType.PSIKIS, ViolenceType.SEKSUAL),
        "victim": Victim(sex=Sex.PEREMPUAN, age=15),
        "narrative": "rahasia",
        "channel": Channel.SCHOOL,
    }
    fields.update(changes)
    return Report(**fields)  # type: ignore[arg-type]


def test_case_numbers_are_per_regency_and_year_and_readable() -> None:
    assert case_number("62.13", 2026, 42) == "6213-2026-00042"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"regency_code": "6474"}, "regency_code"),
        ({"regency_code": "64.7"}, "regency_code"),
        ({"violence_types": ()}, "violence_types"),
        ({"victim": Victim(sex=Sex.LAKI_LAKI, age=130)}, "victim.age"),
    ],
)
def test_an_invalid_report_names_its_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidReportError) as error:
        report(**changes)
    assert error.value.field == field


def test_the_event_carries_what_routing_and_statistics_need_and_nothing_personal() -> None:
    case = Case(uuid4(), "6474-2026-00001", report(), datetime(2026, 11, 23, tzinfo=UTC))
    event = case.reported_event()
    assert event.province_code == "64"
    assert event.regency_code == "64.74"
    assert event.violence_types == (ViolenceType.SEKSUAL, ViolenceType.PSIKIS)  # once each, in order given
    assert event.victim_age_group == AgeGroup.AGE_13_17
    assert event.channel == Channel.SCHOOL
    assert "rahasia" not in event.model_dump_json()
    assert "narrative" not in event.model_dump()
