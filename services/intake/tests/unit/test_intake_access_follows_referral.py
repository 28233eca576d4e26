"""Access follows the referral, as plain code with a clock passed in: each referral's grant through its events,
the best of an agency's referrals, consent, a closed case, reopening, and the facts each agency type sees."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, get_args
from uuid import uuid4

import pytest

from intake.domain.access import CaseScope, Grant, Refusal
from intake.domain.facts import RECORD_FACTS, visible_record
from intake.domain.model import ReopenReason
from intake.domain.record import Report, split_personal
from shared.auth import Principal, Role
from shared.contracts import CaseReopened
from shared.contracts.intake import CaseFacts
from shared.contracts.routing import CASE_CLOSED_REASON
from shared.referral_access import ReferralAccess

T0 = datetime(2026, 12, 1, 8, tzinfo=UTC)
DAY = timedelta(days=1)
FOLLOW_UP = timedelta(days=30)
LIVE, FOLLOW, ENDED = ReferralAccess.LIVE, ReferralAccess.FOLLOW_UP, ReferralAccess.ENDED


def grant(agency_id: str = "uptd-1", agency_type: str = "uptd_ppa", *, lead: bool = True,
          consented_types: frozenset[str] | None = frozenset()) -> Grant:
    return Grant.referred(referral_id=uuid4(), agency_id=agency_id, agency_type=agency_type, is_lead=lead, at=T0,
                          consented_types=consented_types)


def staff(agency_id: str, agency_type: str) -> Principal:
    return Principal(user_id=f"staff-{agency_id}", roles=frozenset({Role.AGENCY_STAFF}), agency_id=agency_id,
                     agency_type=agency_type)


DISTRICT = Principal(user_id="district", roles=frozenset({Role.DISTRICT_SUPERVISOR}), province_code="62",
                     regency_code="62.13")
OTHER_DISTRICT = Principal(user_id="district-2", roles=frozenset({Role.DISTRICT_SUPERVISOR}), province_code="62",
                           regency_code="62.01")
RECORDER = Principal(user_id="operator-1", roles=frozenset({Role.OPERATOR}))
UPTD, SCHOOL = staff("uptd-1", "uptd_ppa"), staff("school-1", "dinas_pendidikan")


def scope(*grants: Grant, now: datetime = T0, status: str = "open") -> CaseScope:
    return CaseScope("62", "62.13", "operator-1", now, grants, status)


def test_a_referral_is_live_until_it_is_completed_then_read_only_until_the_follow_up_ends() -> None:
    created = grant()
    assert (created.access, created.since, created.read_until) == (LIVE, T0, None)
    accepted = created.after("referral.accepted", reason=None, at=T0 + DAY, follow_up=FOLLOW_UP)
    assert accepted is created, "still live: when it began does not move"
    started = accepted.after("referral.service_started", reason=None, at=T0 + 2 * DAY, follow_up=FOLLOW_UP)
    completed = started.after("referral.completed", reason=None, at=T0 + 3 * DAY, follow_up=FOLLOW_UP)
    assert (completed.access, completed.since, completed.read_until) == (FOLLOW, T0 + 3 * DAY, T0 + 33 * DAY)
    assert completed.in_force(T0 + 33 * DAY - timedelta(seconds=1)) is FOLLOW
    assert completed.in_force(T0 + 33 * DAY) is ENDED
    # The case closed later: the follow-up is not lengthened.
    closed = completed.after("referral.revoked", reason=CASE_CLOSED_REASON, at=T0 + 20 * DAY, follow_up=FOLLOW_UP)
    assert closed == completed
    assert completed.after("referral.sla_breached", reason=None, at=T0 + 4 * DAY, follow_up=FOLLOW_UP) == completed


@pytest.mark.parametrize(("event_type", "reason"), [("referral.declined", None), ("referral.revoked", "x")])
def test_a_declined_or_revoked_referral_ends_at_once(event_type: str, reason: str | None) -> None:
    ended = grant().after(event_type, reason=reason, at=T0 + DAY, follow_up=FOLLOW_UP)
    assert ended.access is ENDED
    assert ended.in_force(T0 + DAY) is ENDED
    assert not scope(ended, now=T0 + DAY).can_view(UPTD)


def test_a_referral_s_access_only_narrows() -> None:
    declined = grant().after("referral.declined", reason=None, at=T0, follow_up=FOLLOW_UP)
    for event_type, reason in (("referral.revoked", CASE_CLOSED_REASON), ("referral.accepted", None),
                               ("referral.completed", None), ("referral.created", None)):
        assert declined.after(event_type, reason=reason, at=T0 + DAY, follow_up=FOLLOW_UP) is declined, event_type
    completed = grant().after("referral.completed", reason=None, at=T0, follow_up=FOLLOW_UP)
    assert completed.after("referral.service_started", reason=None, at=T0 + DAY, follow_up=FOLLOW_UP) is completed
    assert completed.after("referral.revoked", reason="x", at=T0 + DAY, follow_up=FOLLOW_UP).access is ENDED


def test_a_referral_revoked_because_its_case_closed_keeps_the_follow_up() -> None:
    revoked = grant().after("referral.revoked", reason=CASE_CLOSED_REASON, at=T0 + DAY, follow_up=FOLLOW_UP)
    assert (revoked.access, revoked.read_until) == (FOLLOW, T0 + DAY + FOLLOW_UP)


def test_an_agency_holds_the_best_of_its_referrals() -> None:
    declined = grant().after("referral.declined", reason=None, at=T0, follow_up=FOLLOW_UP)
    completed = grant().after("referral.completed", reason=None, at=T0, follow_up=FOLLOW_UP)
    again = grant()
    assert scope(declined).agency_access(UPTD) is None
    assert scope(declined, completed).agency_access(UPTD) == ("uptd_ppa", FOLLOW)
    assert scope(declined, completed, again).agency_access(UPTD) == ("uptd_ppa", LIVE)
    # Another agency's referral gives this one nothing.
    assert scope(grant("school-1", "dinas_pendidikan", consented_types=frozenset({"dinas_pendidikan"}))
                 ).agency_access(UPTD) is None


def test_consent_decides_for_every_type_but_the_case_managers_and_sapa() -> None:
    assert not grant("school-1", "dinas_pendidikan", consented_types=frozenset()).consented
    assert grant("school-1", "dinas_pendidikan", consented_types=None).consented, "a case intake does not hold"
    school = grant("school-1", "dinas_pendidikan", consented_types=frozenset({"dinas_pendidikan"}))
    assert school.in_force(T0) is LIVE
    withdrawn = school.with_consent(frozenset({"uptd_ppa", "dinas_ppa"}))
    assert withdrawn.in_force(T0) is ENDED
    assert not scope(withdrawn).can_view(SCHOOL)
    assert withdrawn.with_consent(frozenset({"dinas_pendidikan"})).in_force(T0) is LIVE, "given again"
    for always in ("uptd_ppa", "dinas_ppa", "national_hotline"):
        assert grant("a", always).with_consent(frozenset()).consented, always


def test_what_each_access_allows() -> None:
    live = grant()
    follow = live.after("referral.completed", reason=None, at=T0, follow_up=FOLLOW_UP)
    ended = live.after("referral.declined", reason=None, at=T0, follow_up=FOLLOW_UP)
    assert (scope(live).can_view(UPTD), scope(live).can_update(UPTD), scope(live).can_close(UPTD)) == (
        True, True, True)
    assert (scope(follow).can_view(UPTD), scope(follow).can_update(UPTD), scope(follow).can_close(UPTD)) == (
        True, False, False)
    assert scope(follow).readable_fields(UPTD) == scope(live).readable_fields(UPTD) != frozenset()
    assert scope(ended).readable_fields(UPTD) == frozenset()
    assert scope(follow, now=T0 + FOLLOW_UP).can_view(UPTD) is False
    assert scope(follow).change_refusal(UPTD, closing=False) is Refusal.NOT_ALLOWED
    assert scope(ended).change_refusal(UPTD, closing=False) is Refusal.NOT_FOUND
    # The recorder and the region's supervisor are untouched by the referral.
    assert scope(ended).can_update(RECORDER)
    assert scope(ended).can_view(DISTRICT)


def test_closing_leaves_agencies_read_only_and_a_closed_case_is_a_conflict_for_who_handled_it() -> None:
    live = grant()
    closed = live.closed(at=T0 + DAY, follow_up=FOLLOW_UP)
    assert (closed.access, closed.read_until) == (FOLLOW, T0 + DAY + FOLLOW_UP)
    ended = live.after("referral.declined", reason=None, at=T0, follow_up=FOLLOW_UP)
    assert ended.closed(at=T0 + DAY, follow_up=FOLLOW_UP) is ended
    case = scope(closed, status="closed", now=T0 + DAY)
    assert case.change_refusal(UPTD, closing=False) is Refusal.CONFLICT
    assert case.change_refusal(RECORDER, closing=True) is Refusal.CONFLICT
    assert case.change_refusal(DISTRICT, closing=False) is Refusal.NOT_ALLOWED
    assert case.change_refusal(SCHOOL, closing=False) is Refusal.NOT_FOUND


def test_reopening_is_for_the_district_supervisor_and_the_lead_agency_while_its_access_runs() -> None:
    lead = grant().closed(at=T0, follow_up=FOLLOW_UP)
    helper = grant("police-1", "police_ppa", lead=False, consented_types=frozenset({"police_ppa"})).closed(
        at=T0, follow_up=FOLLOW_UP)
    police = staff("police-1", "police_ppa")
    case = scope(lead, helper, status="closed", now=T0 + DAY)
    assert case.reopen_refusal(DISTRICT) is None
    assert case.reopen_refusal(UPTD) is None
    assert case.reopen_refusal(police) is Refusal.NOT_ALLOWED
    assert case.reopen_refusal(RECORDER) is Refusal.NOT_ALLOWED
    assert case.reopen_refusal(OTHER_DISTRICT) is Refusal.NOT_FOUND
    assert case.reopen_refusal(SCHOOL) is Refusal.NOT_FOUND
    past = scope(lead, status="closed", now=T0 + FOLLOW_UP)
    assert past.reopen_refusal(UPTD) is Refusal.NOT_FOUND, "the follow-up period is over"
    assert scope(grant(), status="open").reopen_refusal(UPTD) is Refusal.CONFLICT
    assert scope(status="open").reopen_refusal(DISTRICT) is Refusal.CONFLICT


def test_the_reopen_reasons_are_the_contract_s() -> None:
    assert set(get_args(ReopenReason)) == set(get_args(CaseReopened.model_fields["reason"].annotation))


REPORT: dict[str, Any] = {
    "incident": {"date": "2026-11-01", "precision": "day"},
    "location": {"province_code": "62", "regency_code": "62.13", "place": "sekolah", "address": "Jl. X"},
    "violence_types": ["fisik"], "injuries": True, "child_in_conflict_with_law": False,
    "victims": [{"sex": "perempuan", "age": 12, "name": "Korban"}],
    "perpetrators": [{"relationship": "guru", "name": "Pelaku"}],
    "needs": ["kesehatan"], "reporter": {"anonymous": True, "relation": "teman"}, "narrative": "Cerita.",
    "channel": "hotline",
}


def test_each_agency_type_sees_the_facts_of_the_one_map() -> None:
    facts, _ = split_personal(Report.model_validate(REPORT))
    school_grant = grant("school-1", "dinas_pendidikan", consented_types=frozenset({"dinas_pendidikan"}))
    police_grant = grant("police-1", "police_ppa", consented_types=frozenset({"police_ppa"}))
    case = scope(grant(), school_grant, police_grant)
    school = visible_record(facts, case.fact_fields(SCHOOL))
    assert "perpetrators" not in school
    assert {"victims", "needs"} <= set(school)
    assert not {"violence_types", "incident", "injuries", "ongoing_danger", "consent"} & set(school)
    assert school["location"] == {"province_code": "62", "regency_code": "62.13"}
    police = visible_record(facts, case.fact_fields(staff("police-1", "police_ppa")))
    assert police["perpetrators"] == facts["perpetrators"]
    assert police["location"]["place"] == "sekolah"
    assert "consent" not in police
    # The case manager, who recorded it and who supervises the region see everything.
    for principal in (UPTD, RECORDER, DISTRICT):
        assert visible_record(facts, case.fact_fields(principal)) == facts, principal.user_id


def test_every_part_of_the_record_maps_to_a_fact_of_the_contract() -> None:
    facts, _ = split_personal(Report.model_validate(REPORT))
    assert set(facts) - {"location"} == set(RECORD_FACTS)
    assert set(RECORD_FACTS.values()) <= set(CaseFacts.model_fields)
