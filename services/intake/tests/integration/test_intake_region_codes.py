"""Intake's API and the district (kecamatan) and village (desa/kelurahan) codes of a report: an unknown code, or
one outside the regency or district given, is refused with a 422 naming the field in the caller's language;
a known one is stored and travels on the events as a code, never a name."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import text

from intake.domain.record import Location
from shared.access import SERVICE_CONTEXT
from shared.contracts import CaseReported
from shared.contracts.base import parse_event
from shared.validation_messages import LocalizedValueError

pytestmark = pytest.mark.integration

TODAY = date.today()  # noqa: DTZ011 - the record's rules use the local calendar date too
BARITO_TIMUR = {"province_code": "62", "regency_code": "62.13", "place": "rumah_tangga"}


def report(location: dict[str, Any]) -> dict[str, Any]:
    return {
        "incident": {"date": (TODAY - timedelta(days=5)).isoformat(), "precision": "day"},
        "location": location,
        "violence_types": ["fisik"],
        "victims": [{"sex": "perempuan", "age": 30}],
        "reporter": {"relation": "tetangga", "anonymous": True},
        "narrative": f"Kejadian uji {uuid4().hex[:10]}.",
    }


def rule(location: dict[str, Any]) -> LocalizedValueError:
    """The domain's error for ``location``, for its wording in both languages."""
    with pytest.raises(ValidationError) as caught:
        Location.model_validate(location)
    error = caught.value.errors()[0]["ctx"]["error"]
    assert isinstance(error, LocalizedValueError)
    return error


@pytest.mark.parametrize(
    ("codes", "field", "kind"),
    [
        ({"district_code": "62.13.11"}, "district_code", "unknown_district"),
        ({"district_code": "62.03.01"}, "district_code", "district_outside_regency"),
        ({"district_code": "62.13.01", "village_code": "62.13.01.2001"}, "village_code", "unknown_village"),
        ({"district_code": "62.13.01", "village_code": "62.13.02.2003"}, "village_code", "village_outside_district"),
        ({"village_code": "62.13.01.2003"}, "village_code", "village_outside_district"),
    ],
)
async def test_an_unknown_or_misplaced_code_is_refused_naming_the_field_in_the_callers_language(
    intake: httpx.AsyncClient, codes: dict[str, str], field: str, kind: str
) -> None:
    location = {**BARITO_TIMUR, **codes}
    expected = rule(location)
    assert expected.en != expected.id
    for language, message in (("en", expected.en), ("id", expected.id), (None, expected.id)):
        headers = {"Accept-Language": language} if language else {}
        response = await intake.post("/v1/reports", json=report(location), headers=headers)
        assert response.status_code == 422
        assert response.json()["detail"] == [{"loc": ["body", "location", field], "msg": message, "type": kind}]


@pytest.mark.parametrize(
    ("codes", "field", "english", "indonesian"),
    [
        ({"district_code": "62.13.1"}, "district_code", "e.g. 62.13.01", "mis. 62.13.01"),
        ({"district_code": "62.13.01", "village_code": "62.13.01.203"}, "village_code", "e.g. 62.13.01.2003",
         "mis. 62.13.01.2003"),
    ],
)
async def test_a_malformed_code_is_answered_with_an_example(
    intake: httpx.AsyncClient, codes: dict[str, str], field: str, english: str, indonesian: str
) -> None:
    location = {**BARITO_TIMUR, **codes}
    for language, example in (("en", english), ("id", indonesian)):
        response = await intake.post("/v1/reports", json=report(location), headers={"Accept-Language": language})
        assert response.status_code == 422
        [error] = response.json()["detail"]
        assert error["loc"] == ["body", "location", field]
        assert example in error["msg"]


async def test_a_report_down_to_the_village_is_accepted_with_the_codes_the_errors_give_as_examples(
    intake: httpx.AsyncClient,
) -> None:
    location = {**BARITO_TIMUR, "district_code": "62.13.01", "village_code": "62.13.01.2003"}
    response = await intake.post("/v1/reports", json=report(location))
    assert response.status_code == 201, response.text


async def test_the_case_is_stored_and_published_with_the_district_and_village_codes_but_no_names(
    intake: httpx.AsyncClient,
) -> None:
    location = {**BARITO_TIMUR, "district_code": "62.13.01", "village_code": "62.13.01.2003"}
    response = await intake.post("/v1/reports", json=report(location))
    assert response.status_code == 201, response.text
    case_id = response.json()["case_id"]
    runtime = intake.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.unit_of_work(SERVICE_CONTEXT) as uow:
        stored = (await uow.session.execute(
            text("SELECT facts -> 'location' FROM intake.cases WHERE case_id = :id"), {"id": case_id}
        )).scalar_one()
        payload = (await uow.session.execute(
            text("SELECT payload FROM intake.outbox WHERE message_key = :id AND event_type = 'case.reported'"),
            {"id": case_id},
        )).scalar_one()
    assert stored == location
    event = parse_event(payload.encode())
    assert isinstance(event, CaseReported)
    assert (event.district_code, event.village_code) == ("62.13.01", "62.13.01.2003")
    assert "Dusun Timur" not in payload
    assert "Pulau Patai" not in payload
