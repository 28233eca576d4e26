"""The district supervisor's pages' own rules: the hand forms' checks, the agencies each form offers, the median
in hours and minutes, and the dashboard's kecamatan named from the region catalogue."""

from __future__ import annotations

from workspace.domain.district import by_kecamatan, check_hand, duration, offered_agencies, open_lead
from workspace.domain.referrals import FieldError

AGENCIES = [
    {"agency_id": "uptd-ppa-62.13", "name": "UPTD PPA Barito Timur", "agency_type": "uptd_ppa", "active": True},
    {"agency_id": "dinas-ppa-62.13", "name": "Dinas PPA Barito Timur", "agency_type": "dinas_ppa", "active": True},
    {"agency_id": "police-ppa-62.13", "name": "Unit PPA Polres", "agency_type": "police_ppa", "active": True},
    {"agency_id": "closed-62.13", "name": "Closed", "agency_type": "dinas_ppa", "active": False},
]
REFERRALS = [{"agency_id": "uptd-ppa-62.13", "is_lead": True, "status": "accepted"}]


def test_a_hand_form_names_each_missing_part_at_its_field() -> None:
    assert check_hand({}, offered=["dinas-ppa-62.13"]) == [
        FieldError("agency_id", "agency_missing"), FieldError("hand_reason", "hand_reason_too_short"),
        FieldError("confirm", "confirm_missing")]
    assert check_hand({"agency_id": "not-offered", "hand_reason": "alasan", "confirm": "1"},
                      offered=["dinas-ppa-62.13"]) == [FieldError("agency_id", "agency_missing")]
    assert check_hand({"agency_id": "dinas-ppa-62.13", "hand_reason": "x" * 1001, "confirm": "1"},
                      offered=["dinas-ppa-62.13"]) == [FieldError("hand_reason", "reason_too_long")]
    assert check_hand({"hand_reason": "tidak perlu lagi", "confirm": "1"}, offered=(), needs_agency=False) == []


def test_the_forms_offer_active_agencies_not_holding_the_case_and_case_managers_to_lead() -> None:
    refer = [a["agency_id"] for a in offered_agencies(AGENCIES, REFERRALS, lead_only=False)]
    lead = [a["agency_id"] for a in offered_agencies(AGENCIES, REFERRALS, lead_only=True)]
    assert refer == ["dinas-ppa-62.13", "police-ppa-62.13"]
    assert lead == ["dinas-ppa-62.13"]
    assert open_lead(REFERRALS) == REFERRALS[0]
    assert open_lead([{**REFERRALS[0], "status": "revoked"}]) is None


def test_the_median_reads_in_hours_and_minutes() -> None:
    assert duration(None) is None
    assert duration(2 * 3600 + 29 * 60 + 31) == duration(2 * 3600 + 30 * 60)
    found = duration(90 * 60)
    assert found is not None
    assert (found.hours, found.minutes) == (1, 30)


def test_the_dashboard_names_each_kecamatan_and_puts_the_unnamed_last() -> None:
    rows = by_kecamatan([{"district": None, "count": 2}, {"district": "62.13.02", "count": 3},
                         {"district": "62.13.01", "count": "<5"}])
    assert [(r.code, r.name, r.count) for r in rows] == [
        ("62.13.02", "Banua Lima", "3"), ("62.13.01", "Dusun Timur", "<5"), ("unknown", "", "2")]
