"""The oversight pages' decisions: a case searched by id or number, the chain's verdict read, a subscription's
form checked field by field, and the SIMFONI export's period and region."""

from __future__ import annotations

from uuid import uuid4

import pytest

from workspace.domain.audit import ChainResult, parse_case_query
from workspace.domain.export_form import check_export, form_values
from workspace.domain.person import Person
from workspace.domain.subscription_form import check_subscription
from workspace.domain.subscription_form import form_values as subscription_values

AGENCIES = {"uptd-ppa-62.13", "polres-62.71"}
EVENT_TYPES = ["referral.created", "referral.accepted"]


def test_a_case_is_searched_by_its_id_or_else_its_number() -> None:
    case_id = uuid4()
    by_id, errors = parse_case_query(f"  {case_id} ")
    assert by_id is not None
    assert (by_id.case_id, by_id.case_number, errors) == (case_id, None, [])
    by_number, _ = parse_case_query(" 6213-2026-000123 ")
    assert by_number is not None
    assert (by_number.case_id, by_number.case_number) == (None, "6213-2026-000123")
    assert [(e.field, e.code) for e in parse_case_query("  ")[1]] == [("case", "case_query_missing")]
    assert [(e.field, e.code) for e in parse_case_query("9" * 65)[1]] == [("case", "case_query_too_long")]


def test_the_chain_verdict_names_the_first_broken_record() -> None:
    intact = ChainResult.of({"case_id": "x", "intact": True, "records_checked": 5, "first_broken": None})
    assert (intact.intact, intact.records_checked, intact.broken_seq) == (True, 5, None)
    event_id = str(uuid4())
    broken = ChainResult.of({"intact": False, "records_checked": 5,
                             "first_broken": {"seq": 4, "event_id": event_id, "problem": "altered"}})
    assert (broken.intact, broken.broken_seq, broken.broken_event_id, broken.problem) == (False, 4, event_id,
                                                                                           "altered")


def _subscription(**typed: str) -> dict[str, object]:
    form = {"agency_id": "uptd-ppa-62.13", "channel": "webhook", "target": "https://ppa.example/hook",
            "language": "id", **typed}
    return subscription_values(form, typed.get("event_types", "referral.created").split(",") if typed.get(
        "event_types", "x") else [])


def test_a_webhook_subscription_for_an_agency_of_the_province() -> None:
    body, errors = check_subscription(_subscription(), agencies=AGENCIES, event_types=EVENT_TYPES)
    assert errors == []
    assert body == {"scope": "agency", "agency_id": "uptd-ppa-62.13", "channel": "webhook",
                    "target": "https://ppa.example/hook", "event_types": ["referral.created"], "language": "id"}


@pytest.mark.parametrize(
    ("typed", "field", "code"),
    [
        ({"agency_id": "uptd-ppa-63.01"}, "agency_id", "agency_missing"),  # not one of the province's
        ({"channel": "fax"}, "channel", "channel_missing"),
        ({"target": ""}, "target", "target_missing"),
        ({"target": "ftp://ppa.example"}, "target", "target_url"),
        ({"channel": "email", "target": "ppa.example"}, "target", "target_email"),
        ({"channel": "sms", "target": "0812345678"}, "target", "target_phone"),
        ({"channel": "whatsapp", "target": "+62 812"}, "target", "target_phone"),
        ({"event_types": ""}, "event_types", "event_types_missing"),
        ({"event_types": "case.reported"}, "event_types", "event_types_unknown"),
        ({"language": "fr"}, "language", "language_missing"),
    ],
)
def test_each_wrong_field_is_named_and_what_was_typed_is_kept(typed: dict[str, str], field: str, code: str) -> None:
    values = _subscription(**typed)
    body, errors = check_subscription(values, agencies=AGENCIES, event_types=EVENT_TYPES)
    assert body is None
    assert [(e.field, e.code) for e in errors] == [(field, code)]
    assert values["target"] == typed.get("target", "https://ppa.example/hook").strip()


def test_sms_and_email_subscriptions() -> None:
    for channel, target in (("sms", "+6281234567890"), ("whatsapp", "+6281234567890"), ("email", "ppa@x.go.id")):
        body, errors = check_subscription(_subscription(channel=channel, target=target), agencies=AGENCIES,
                                          event_types=EVENT_TYPES)
        assert errors == []
        assert body is not None
        assert (body["channel"], body["target"]) == (channel, target)


REGENCIES = {"62.13", "62.71"}


def test_an_export_of_a_period_and_a_regency() -> None:
    values = form_values({"date_from": "01/11/2026", "date_to": "30/11/2026", "regency": "62.13", "format": "csv"})
    wanted, errors = check_export(values, province_code="62", regencies=REGENCIES)
    assert errors == []
    assert wanted is not None
    assert (wanted.format, wanted.params) == ("csv", {"from": "2026-11-01", "to": "2026-11-30", "province": "62",
                                                      "regency": "62.13"})
    whole, _ = check_export({**values, "regency": "", "format": "xlsx"}, province_code="62", regencies=REGENCIES)
    assert whole is not None
    assert "regency" not in whole.params
    assert whole.format == "xlsx"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ({"date_from": "31/02/2026"}, [("date_from", "date_from_invalid")]),
        ({"date_to": ""}, [("date_to", "date_to_invalid")]),
        ({"date_from": "01/12/2026", "date_to": "30/11/2026"}, [("date_to", "date_to_before_from")]),
        ({"regency": "63.01"}, [("regency", "regency_outside")]),
        ({"format": "pdf"}, [("format", "format_missing")]),
    ],
)
def test_each_wrong_export_field_is_named(typed: dict[str, str], expected: list[tuple[str, str]]) -> None:
    values = form_values({"date_from": "01/11/2026", "date_to": "30/11/2026", "regency": "", "format": "csv",
                          **typed})
    wanted, errors = check_export(values, province_code="62", regencies=REGENCIES)
    assert wanted is None
    assert [(e.field, e.code) for e in errors] == expected


def test_who_gets_the_oversight_pages() -> None:
    auditor = Person.from_claims({"sub": "a", "sinergi_roles": ["auditor"], "sinergi_province": "62"})
    admin = Person.from_claims({"sub": "b", "sinergi_roles": ["province_admin"], "sinergi_province": "62"})
    staff = Person.from_claims({"sub": "c", "sinergi_roles": ["agency_staff"], "sinergi_agency": "x",
                                "sinergi_province": "62"})
    assert (auditor.audits_province, auditor.administers_province) == (True, False)
    assert (admin.audits_province, admin.administers_province) == (False, True)
    assert (staff.audits_province, staff.administers_province) == (False, False)
    assert not Person.from_claims({"sub": "d", "sinergi_roles": ["auditor"]}).audits_province  # no province
