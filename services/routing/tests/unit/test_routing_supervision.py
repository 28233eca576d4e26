"""The district supervisor's domain: the district list's order, each agency's workload against a median computed
here, and the checks of a manual referral and a lead handover."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from routing.domain.agencies import Agency, AgencyLevel
from routing.domain.cases import CaseToRoute
from routing.domain.district import DistrictReferral, district_list, median, workload
from routing.domain.referrals import Referral, ReferralStatus
from routing.domain.rules import ReferralDecision
from routing.domain.sla import DEFAULT_POLICY
from routing.domain.supervision import (
    HANDOVER_RULE,
    MANUAL_RULE,
    SupervisionError,
    lead_handover,
    manual_referral,
)
from shared.contracts.vocabulary import CASE_MANAGERS, AgencyType, Priority

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
CASE = CaseToRoute(case_id=uuid4(), province_code="62", regency_code="62.13",
                   consented=CASE_MANAGERS | {AgencyType.POLICE_PPA})


def agency(agency_id: str, agency_type: AgencyType, regency: str | None = "62.13", **kw: object) -> Agency:
    level = AgencyLevel.REGENCY if regency else AgencyLevel.PROVINCE
    return Agency(agency_id=agency_id, name=f"Agency {agency_id}", agency_type=agency_type, level=level,
                  province_code=(regency or "62")[:2], regency_code=regency, **kw)  # type: ignore[arg-type]


UPTD = agency("uptd-ppa-62.13", AgencyType.UPTD_PPA)
DINAS = agency("dinas-ppa-62.13", AgencyType.DINAS_PPA)
POLICE = agency("police-ppa-62.13", AgencyType.POLICE_PPA)
HEALTH = agency("rsud-62.13", AgencyType.HEALTH)


def referral(to: Agency, *, lead: bool = False, status: ReferralStatus = ReferralStatus.CREATED) -> Referral:
    made = Referral.create(CASE, ReferralDecision(to, "test", "test", lead), referral_id=uuid4(), created_at=NOW,
                           rule_set_version=1, deadlines=DEFAULT_POLICY.deadlines(Priority.P2))
    return Referral(**{**made.__dict__, "status": status})


def item(agency_id: str = "a", *, deadline: timedelta | None = timedelta(hours=1), priority: Priority = Priority.P2,
         breached: bool = False, rule: str = "lead-agency/regency-uptd-ppa", status: ReferralStatus =
         ReferralStatus.CREATED, created: datetime = NOW, accepted: datetime | None = None) -> DistrictReferral:
    return DistrictReferral(
        referral_id=uuid4(), case_id=uuid4(), case_number=None, agency_id=agency_id, agency_name=f"Agency {agency_id}",
        priority=priority, status=status, is_lead=True, rule=rule, created_at=created,
        running_deadline=None if deadline is None else NOW + deadline, breached=breached, accepted_at=accepted)


def test_the_district_list_puts_overdue_then_escalated_first_and_leaves_out_ended_ones() -> None:
    calm_p1 = item(priority=Priority.P1, deadline=timedelta(minutes=5))
    overdue_p3 = item(priority=Priority.P3, deadline=-timedelta(hours=2))
    overdue_p1 = item(priority=Priority.P1, deadline=-timedelta(minutes=1))
    breached = item(priority=Priority.P3, deadline=None, status=ReferralStatus.IN_SERVICE, breached=True)
    made_by_escalation = item(priority=Priority.P2, deadline=timedelta(hours=3), rule="escalation/sla")
    ended = item(deadline=None, status=ReferralStatus.DECLINED, breached=True)
    listed = district_list([calm_p1, breached, ended, overdue_p3, made_by_escalation, overdue_p1], NOW)
    assert listed == [overdue_p1, overdue_p3, made_by_escalation, breached, calm_p1]


def test_the_median_is_exact_for_odd_and_even_counts() -> None:
    assert median([]) is None
    assert median([timedelta(minutes=m) for m in (9, 1, 5)]) == timedelta(minutes=5)
    assert median([timedelta(minutes=m) for m in (10, 1, 4, 7)]) == timedelta(minutes=5, seconds=30)


def test_the_workload_of_each_agency_matches_the_truth_computed_here() -> None:
    rng = random.Random(23)
    items = []
    truth: dict[str, dict[str, object]] = {}
    for agency_id in ("uptd", "dinas", "police"):
        open_, overdue, waits = 0, 0, []
        for _ in range(rng.randint(5, 30)):
            status = rng.choice(list(ReferralStatus))
            deadline = None if status.is_done else timedelta(minutes=rng.randint(-600, 600))
            created = NOW - timedelta(minutes=rng.randint(0, 10_000))
            accepted = created + timedelta(seconds=rng.randint(1, 90_000)) if rng.random() < 0.6 else None
            items.append(item(agency_id, deadline=deadline, status=status, created=created, accepted=accepted))
            open_ += not status.is_done
            overdue += deadline is not None and deadline < timedelta(0)
            if accepted is not None:
                waits.append((accepted - created).total_seconds())
        truth[agency_id] = {"open": open_, "overdue": overdue, "accepted": len(waits),
                            "median": statistics.median(waits) if waits else None}
    loads = workload(items, NOW)
    got = {load.agency_id: {"open": load.open, "overdue": load.overdue, "accepted": load.accepted,
                            "median": None if load.median_to_accept is None else load.median_to_accept.total_seconds()}
           for load in loads}
    assert got == truth
    assert [load.overdue for load in loads] == sorted((load.overdue for load in loads), reverse=True)


def test_a_manual_referral_is_a_supporting_referral_with_its_reason() -> None:
    decision = manual_referral(CASE, POLICE, [referral(UPTD, lead=True)], reason="needs a police report")
    assert (decision.agency, decision.rule, decision.is_lead) == (POLICE, MANUAL_RULE, False)
    assert "needs a police report" in decision.reason


@pytest.mark.parametrize(("chosen", "held", "code", "conflict"), [
    (None, [], "agency_unknown", False),
    (agency("police-ppa-62.71", AgencyType.POLICE_PPA, "62.71"), [], "agency_out_of_reach", False),
    (agency("police-ppa-62.13-b", AgencyType.POLICE_PPA, active=False), [], "agency_inactive", True),
    (HEALTH, [], "consent_not_given", True),
    (POLICE, [ReferralStatus.ACCEPTED], "agency_holds_case", True),
    (POLICE, [ReferralStatus.DECLINED], "agency_had_case", True),
])
def test_a_manual_referral_is_refused_with_the_reason_in_both_languages(
    chosen: Agency | None, held: list[ReferralStatus], code: str, conflict: bool,
) -> None:
    referrals = [referral(UPTD, lead=True)] + [referral(POLICE, status=status) for status in held]
    with pytest.raises(SupervisionError) as refused:
        manual_referral(CASE, chosen, referrals, reason="why not")
    assert (refused.value.code, refused.value.conflict) == (code, conflict)
    assert refused.value.en != refused.value.id


def test_a_province_or_national_agency_is_within_reach() -> None:
    province_police = agency("police-ppa-62", AgencyType.POLICE_PPA, None)
    assert manual_referral(CASE, province_police, [], reason="the province unit").agency == province_police


def test_a_handover_ends_the_open_lead_and_makes_the_new_one_lead() -> None:
    old = referral(UPTD, lead=True, status=ReferralStatus.ACCEPTED)
    ended, decision = lead_handover(CASE, DINAS, [old, referral(POLICE)], reason="the UPTD is overloaded")
    assert ended == old
    assert (decision.agency, decision.rule, decision.is_lead) == (DINAS, HANDOVER_RULE, True)


@pytest.mark.parametrize(("chosen", "lead_status", "code"), [
    (POLICE, ReferralStatus.ACCEPTED, "agency_not_case_manager"),
    (UPTD, ReferralStatus.ACCEPTED, "agency_is_lead"),
    (DINAS, ReferralStatus.DECLINED, "no_open_lead"),
    (agency("dinas-ppa-62.71", AgencyType.DINAS_PPA, "62.71"), ReferralStatus.ACCEPTED, "agency_out_of_reach"),
])
def test_a_handover_is_refused_with_its_reason(chosen: Agency, lead_status: ReferralStatus, code: str) -> None:
    with pytest.raises(SupervisionError) as refused:
        lead_handover(CASE, chosen, [referral(UPTD, lead=True, status=lead_status)], reason="why not")
    assert refused.value.code == code
