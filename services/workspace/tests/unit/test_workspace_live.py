"""The live inbox's fan-out: each open inbox hears only its own agency's referral events, and what it hears
names the change and the referral only."""

from __future__ import annotations

from workspace.domain.live import notices
from workspace.service_layer.live import LiveHub

CREATED = {"event_type": "referral.created", "referral_id": "r1", "agency_id": "uptd-ppa-62.13", "case_id": "c1",
           "province_code": "62", "regency_code": "62.13", "reason": "why"}


def test_an_inbox_hears_only_its_own_agencys_events() -> None:
    hub = LiveHub()
    mine, other = hub.listen("uptd-ppa-62.13"), hub.listen("uptd-ppa-62.71")
    assert hub.publish(CREATED) == 1
    assert mine.get_nowait().as_dict() == {"event": "referral.created", "referral_id": "r1"}
    assert other.empty()


def test_an_escalation_reaches_the_agency_it_went_to_as_well() -> None:
    breached = {"event_type": "referral.sla_breached", "referral_id": "r2", "agency_id": "uptd-ppa-62.13",
                "escalated_to": "dinas-ppa-62.13", "deadline": "accept"}
    assert [agency for agency, _ in notices(breached)] == ["uptd-ppa-62.13", "dinas-ppa-62.13"]


def test_other_events_and_closed_inboxes_hear_nothing() -> None:
    hub = LiveHub()
    queue = hub.listen("uptd-ppa-62.13")
    assert hub.publish({"event_type": "case.reported", "case_id": "c1"}) == 0
    assert hub.publish({"event_type": "referral.created", "referral_id": "r1"}) == 0  # no agency
    hub.stop_listening("uptd-ppa-62.13", queue)
    assert hub.publish(CREATED) == 0


def test_a_browser_that_does_not_keep_up_loses_notices_not_memory() -> None:
    hub = LiveHub()
    queue = hub.listen("uptd-ppa-62.13")
    for _ in range(250):
        hub.publish(CREATED)
    assert queue.qsize() == 100
