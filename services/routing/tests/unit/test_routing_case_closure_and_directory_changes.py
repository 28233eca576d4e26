"""Pure rules of issue 20: a closed case's referrals, the refusal of a move on an ended referral (in both
languages), who may edit which agencies and rule sets, what a directory write would change, and which regencies it
would leave without a lead agency."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from routing.domain.access import may_edit_agency, may_edit_rules
from routing.domain.agencies import Agency, AgencyLevel
from routing.domain.cases import CaseToRoute
from routing.domain.directory_changes import diff, regencies_left_without_lead
from routing.domain.referrals import Referral, ReferralStatus, ReferralTransitionError, close_case
from routing.domain.rules import NATIONAL_SCOPE, lead_agency
from routing.domain.rules import is_fallback as is_fallback_rule
from routing.domain.sla import DEFAULT_POLICY
from shared.auth import Principal, Role
from shared.contracts import ReferralRevoked
from shared.contracts.routing import CASE_CLOSED_REASON
from shared.contracts.vocabulary import AgencyType, Priority

NOW = datetime(2026, 12, 7, 9, tzinfo=UTC)
CASE = CaseToRoute(case_id=uuid4(), province_code="62", regency_code="62.13")


def agency(agency_id: str, agency_type: AgencyType = AgencyType.UPTD_PPA, *, regency: str | None = "62.13",
           province: str | None = "62", active: bool = True) -> Agency:
    level = AgencyLevel.REGENCY if regency else AgencyLevel.PROVINCE if province else AgencyLevel.NATIONAL
    return Agency(agency_id=agency_id, name=agency_id, agency_type=agency_type, level=level, province_code=province,
                  regency_code=regency, active=active)


def referral(agency_id: str) -> Referral:
    decision = lead_agency(CASE, [agency(agency_id)])
    assert decision is not None
    return Referral.create(CASE, decision, referral_id=uuid4(), created_at=NOW, rule_set_version=1,
                           deadlines=DEFAULT_POLICY.deadlines(Priority.P3))


def test_closing_a_case_revokes_only_its_open_referrals_with_the_case_closed_reason() -> None:
    open_one = referral("uptd-a")
    accepted, _ = referral("uptd-b").accept(by="s", at=NOW)
    declined, _ = referral("uptd-c").decline(by="s", at=NOW, reason="Penuh")
    closed = close_case([open_one, accepted, declined], by="operator-a", at=NOW)
    assert [(moved.agency_id, moved.status, moved.status_reason) for moved, _ in closed] == [
        ("uptd-a", ReferralStatus.REVOKED, CASE_CLOSED_REASON), ("uptd-b", ReferralStatus.REVOKED, CASE_CLOSED_REASON)]
    events = [event for _, event in closed]
    assert all(isinstance(e, ReferralRevoked) and (e.reason, e.actor) == (CASE_CLOSED_REASON, "operator-a")
               for e in events)
    # The clocks stop: a revoked referral's deadlines no longer apply.
    assert all(moved.met("accept") and moved.met("first_service") for moved, _ in closed)


@pytest.mark.parametrize(
    ("status_reason", "code", "en", "id_"),
    [
        ("Penuh", "referral_ended", "This referral has ended (revoked), so it can no longer be accepted.",
         "Rujukan ini sudah berakhir (sudah dicabut), sehingga tidak dapat lagi diterima."),
        (CASE_CLOSED_REASON, "case_closed",
         "The case of this referral is closed, so the referral can no longer be accepted.",
         "Kasus dari rujukan ini sudah ditutup, sehingga rujukan tidak dapat lagi diterima."),
    ],
)
def test_a_move_on_an_ended_referral_says_why_in_both_languages(
    status_reason: str, code: str, en: str, id_: str
) -> None:
    revoked, _ = referral("uptd-a").revoke(by="sup", at=NOW, reason=status_reason)
    with pytest.raises(ReferralTransitionError) as refused:
        revoked.accept(by="s", at=NOW)
    assert (refused.value.code, refused.value.status, refused.value.en, refused.value.id) == (
        code, ReferralStatus.REVOKED, en, id_)


def test_a_move_not_yet_possible_is_not_called_ended() -> None:
    with pytest.raises(ReferralTransitionError) as refused:
        referral("uptd-a").start_service(by="s", at=NOW)
    assert refused.value.code == "referral_status"
    assert refused.value.id == "Rujukan yang menunggu di antrean lembaga tidak dapat dimulai layanannya."


def test_admins_edit_only_their_province_and_the_national_admin_only_what_is_national() -> None:
    admin_62 = Principal("a62", frozenset({Role.PROVINCE_ADMIN}), province_code="62")
    national = Principal("n", frozenset({Role.NATIONAL_ADMIN}))
    mine, theirs = agency("uptd-62.13"), agency("uptd-63.71", regency="63.71", province="63")
    sapa = agency("sapa-129", AgencyType.NATIONAL_HOTLINE, regency=None, province=None)
    assert [may_edit_agency(admin_62, a) for a in (mine, theirs, sapa)] == [True, False, False]
    assert [may_edit_agency(national, a) for a in (mine, theirs, sapa)] == [False, False, True]
    assert [may_edit_rules(admin_62, scope) for scope in ("62", "63", NATIONAL_SCOPE)] == [True, False, False]
    assert [may_edit_rules(national, scope) for scope in ("62", NATIONAL_SCOPE)] == [False, True]


def test_a_diff_names_what_is_created_changed_deactivated_and_unchanged_and_its_digest_follows_the_state() -> None:
    a, b, c = agency("a"), agency("b", AgencyType.NGO), agency("c", AgencyType.NGO)
    incoming = [a, replace(b, name="B baru"), replace(c, active=False), agency("d", AgencyType.NGO)]
    change = diff([a, b, c], incoming)
    assert (change.created, change.changed, change.deactivated, change.unchanged) == (("d",), ("b",), ("c",), ("a",))
    assert diff([a, b, c], list(reversed(incoming))).digest == change.digest  # the order of the file does not matter
    assert diff([a, replace(b, phone="+62 1"), c], incoming).digest != change.digest  # the directory changed since
    assert diff([a, b, c], incoming[:3]).digest != change.digest  # another file


def test_a_write_may_not_leave_a_regency_that_had_a_lead_without_one() -> None:
    uptd, dinas = agency("uptd"), agency("dinas", AgencyType.DINAS_PPA)
    other = agency("uptd-62.01", regency="62.01")
    directory = [uptd, dinas, other, agency("province", regency=None)]
    assert regencies_left_without_lead(directory, [replace(uptd, active=False)]) == ()
    assert regencies_left_without_lead(directory, [replace(uptd, active=False), replace(dinas, active=False)]) == (
        "62.13",)
    assert regencies_left_without_lead(directory, [replace(other, regency_code="62.02")]) == ("62.01",)
    assert regencies_left_without_lead([agency("ngo", AgencyType.NGO)], [agency("ngo2", AgencyType.NGO)]) == ()


def test_only_a_lead_from_outside_the_regency_is_a_fallback() -> None:
    assert not is_fallback_rule("lead-agency/regency-uptd")
    assert not is_fallback_rule("lead-agency/regency-dinas")
    assert is_fallback_rule("lead-agency/province-uptd")
    assert is_fallback_rule("lead-agency/national-fallback")
