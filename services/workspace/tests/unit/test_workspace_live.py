"""The live inbox's fan-out: each open inbox hears only its own agency's referral events (a district supervisor's:
its regency's), and what it hears names the change and the referral only."""

from __future__ import annotations

from workspace.domain.live import notices
from workspace.domain.person import Person
from workspace.service_layer.live import LiveHub

CREATED = {"event_type": "referral.created", "referral_id": "r1", "agency_id": "uptd-ppa-62.13", "case_id": "c1",
           "province_code": "62", "regency_code": "62.13", "reason": "why"}


def test_an_inbox_hears_only_its_own_agencys_events() -> None:
    hub = LiveHub()
    mine, other = hub.listen("agency:uptd-ppa-62.13"), hub.listen("agency:uptd-ppa-62.71")
    assert hub.publish(CREATED) == 1
    assert mine.get_nowait().as_dict() == {"event": "referral.created", "referral_id": "r1"}
    assert other.empty()


def test_an_escalation_reaches_the_agency_it_went_to_as_well() -> None:
    breached = {"event_type": "referral.sla_breached", "referral_id": "r2", "agency_id": "uptd-ppa-62.13",
                "escalated_to": "dinas-ppa-62.13", "deadline": "accept"}
    assert [agency for agency, _ in notices(breached)] == ["agency:uptd-ppa-62.13", "agency:dinas-ppa-62.13"]


def test_other_events_and_closed_inboxes_hear_nothing() -> None:
    hub = LiveHub()
    queue = hub.listen("agency:uptd-ppa-62.13")
    assert hub.publish({"event_type": "case.reported", "case_id": "c1"}) == 0
    assert hub.publish({"event_type": "referral.created", "referral_id": "r1"}) == 0  # no agency
    hub.stop_listening("agency:uptd-ppa-62.13", queue)
    assert hub.publish(CREATED) == 0


def test_a_browser_that_does_not_keep_up_loses_notices_not_memory() -> None:
    hub = LiveHub()
    queue = hub.listen("agency:uptd-ppa-62.13")
    for _ in range(250):
        hub.publish(CREATED)
    assert queue.qsize() == 100


def test_a_district_supervisors_inbox_hears_only_its_regencys_events() -> None:
    hub = LiveHub()
    district, other_district = hub.listen("regency:62.13"), hub.listen("regency:62.71")
    accepted = {"event_type": "referral.accepted", "referral_id": "r3", "agency_id": "polres-62.13",
                "province_code": "62", "regency_code": "62.13", "accepted_by": "u1"}
    assert hub.publish(CREATED) == 1
    assert hub.publish(accepted) == 1
    assert [district.get_nowait().referral_id for _ in range(2)] == ["r1", "r3"]
    assert other_district.empty()
    # An event from before routing named the region reaches the agency alone.
    assert [audience for audience, _ in notices({**accepted, "regency_code": None})] == ["agency:polres-62.13"]


def test_who_listens_to_what() -> None:
    staff = Person("u1", "Sari", frozenset({"agency_staff"}), "uptd-ppa-62.13", "uptd_ppa", "62", "62.13")
    district = Person("u2", "Dewi", frozenset({"district_supervisor"}), None, None, "62", "62.13")
    auditor = Person("u3", "Rina", frozenset({"auditor"}), None, None, "62", None)
    assert (staff.live_audience, district.live_audience, auditor.live_audience) == (
        "agency:uptd-ppa-62.13", "regency:62.13", None)
    assert (staff.has_workspace, district.has_workspace, auditor.has_workspace) == (True, True, False)
    assert Person.from_claims(district.as_claims()) == district
